"""`make bench`: speed as ratios against baselines measured in the same run (pipeline.py), and
the running local stack as its users meet it (stack.py)."""
