"""The tick function's handler (the same image, `photo_processor.ticks.lambda_handler`): invoked by
the schedule (an EventBridge rule), it announces a tick on the processor's topic and does nothing
else: the web app owns the database and sends the emails that are due (photo_jobs.ticks)."""

from __future__ import annotations

from datetime import UTC, datetime

from photo_jobs import ticks
from photo_jobs.aws import client
from photo_jobs.settings import StackSource

_stacks = StackSource()


def lambda_handler(event, context):
    stack = _stacks.current()
    # The schedule's own time (EventBridge's "time"), so a late delivery still says which tick it is.
    at = datetime.fromisoformat(event["time"].replace("Z", "+00:00")) if isinstance(event, dict) and event.get("time") \
        else datetime.now(UTC)
    message = ticks.dumps(at)
    client("sns", stack).publish(TopicArn=stack.topic_arn, Message=message,
                                 MessageAttributes={"type": {"DataType": "String", "StringValue": ticks.TYPE}})
    return {"announced": message}
