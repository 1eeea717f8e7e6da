"""A bounded, seeded fuzz of the pipeline (make fuzz runs a long one): every mutated or truncated
photo is processed or refused with a reason, in a process held to the function's memory."""

import fuzzing

SEED, COUNT = 20261125, 3000


def test_every_damaged_photo_is_answered_within_the_functions_memory(tmp_path):
    outcomes = fuzzing.run(COUNT, SEED, workers=2, folder=tmp_path)
    unanswered = [f"{o.name}: {o.result}" for o in outcomes if not o.acceptable]
    assert not unanswered, unanswered[:20]
    assert max(o.peak_mb for o in outcomes) < fuzzing.FUNCTION_MEMORY_MB * 0.75
    results = {o.result.split(":")[0] + ":" + o.result.split(":")[1] if ":" in o.result else o.result for o in outcomes}
    # the mutations reached every kind of answer, the forged sizes included
    assert {"processed", "failed:corrupt", "failed:unsupported", "failed:too_large"} <= results
    assert max(o.peak_mb for o in outcomes) > 150  # forged sizes decoded to pictures far bigger than the seeds
