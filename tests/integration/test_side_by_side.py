"""Two embedded stacks on one host (a developer's `make up` and `make test`) keep to their own
folders: starting and stopping one leaves the other's LocalStack, CloudWatch and photos alone."""

import time

from stacks import RunningStack, stack_env
from support import photo


def test_a_second_stack_starts_and_stops_beside_the_first(stack, tmp_path_factory):
    first_files = stack.run_dir / "localstack-tmp"
    before = stack.upload(photo(seed=31), "before the second stack.jpg")
    assert stack.studio.wait(before, timeout=60)["status"] == "processed"

    run_dir = tmp_path_factory.mktemp("second-stack")
    second = RunningStack(stack_env(run_dir, "embedded", 4866, 8380, 5733, "vividart-it2"), run_dir)
    up = second.script("stack.sh", "up", check=False)
    try:
        assert up.returncode == 0, f"{up.stdout[-3000:]}\n{up.stderr[-3000:]}"
        assert second.web_url != stack.web_url
        on_second = second.upload(photo(seed=32), "on the second stack.jpg")
        on_first = stack.upload(photo(seed=33), "while the second runs.jpg")
        assert second.studio.wait(on_second, timeout=60)["status"] == "processed"
        assert stack.studio.wait(on_first, timeout=60)["status"] == "processed"
        assert on_second not in {p["key"] for p in stack.studio.shoot(stack.shoot()["id"])["photos"]}
    finally:
        down = second.script("stack.sh", "down", check=False)
    assert down.returncode == 0, down.stderr[-3000:]

    # the second stack's stop emptied its own folder, not the first's
    assert any(first_files.iterdir())
    after = stack.upload(photo(seed=34), "after the second stack.jpg")
    assert stack.studio.wait(after, timeout=60)["status"] == "processed"
    cloudwatch = stack.aws("cloudwatch")
    cloudwatch.put_metric_data(Namespace="VividArt/SideBySide", MetricData=[{"MetricName": "Alive", "Value": 1}])
    now = time.time()
    datapoints = cloudwatch.get_metric_statistics(Namespace="VividArt/SideBySide", MetricName="Alive",
                                                  StartTime=now - 600, EndTime=now + 60, Period=60,
                                                  Statistics=["Sum"])["Datapoints"]
    assert datapoints  # its CloudWatch database is still there
    for key in (before, on_first):
        assert stack.download(key, "thumb")
