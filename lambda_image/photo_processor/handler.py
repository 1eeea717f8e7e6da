"""The Lambda handler: SQS batches of S3 "object created" events in, one job per photo version;
previews of an edit, when the web app invokes it directly ({"action": "preview", ...}); and, as
the archiver function (the same image, a longer timeout), archives built in S3 ({"action": "archive"}).

The jobs of a batch run at once (Powertools' AsyncBatchProcessor hands each message to a thread):
downloads and uploads overlap, and renders share the cores and memory by `budget.Budget`. A
message whose job failed for a passing reason is reported back (partial batch response) and comes
back after a short backoff; after the queue's last try it lands in the dead-letter queue, whose
messages this same function turns into `failed` / `gave_up` records, so no page waits forever.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

from aws_lambda_powertools.utilities.batch import AsyncBatchProcessor, EventType, async_process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from photo_jobs import archives, notifications, previews
from photo_jobs.aws import client
from photo_jobs.settings import StackSource
from photo_processor import archiver, budget, jobs, runtime
from photo_processor.telemetry import logger, metrics, set_function_dimension

runtime.prepare()
RETRY_BACKOFF_S = 5  # a transient failure is tried again after 5, 10, 20 ... seconds
BUDGET = budget.for_this_function()
# More threads than render slots: a photo downloads or uploads while others render.
_THREADS = ThreadPoolExecutor(max(4, 2 * BUDGET.slots), thread_name_prefix="job")
_processor = AsyncBatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
_stacks = StackSource()


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event, context):
    set_function_dimension()
    stack = _stacks.current()
    ctx = jobs.Context(client("s3", stack), client("sns", stack), stack, BUDGET,
                       deadline=time.monotonic() + context.get_remaining_time_in_millis() / 1000)
    if event.get("action") == previews.ACTION:  # the web app's edit form, invoked directly
        return jobs.preview(ctx, event)
    if event.get("action") == archives.ACTION:  # Download all: invoked (asynchronously) by the web app
        request = archiver.request_of(ctx.s3, event)
        return archiver.build(ctx.s3, lambda status: jobs.announce(ctx, status.dumps(), archives.TYPE), request).to_dict()

    async def handle(record: SQSRecord):
        return await asyncio.get_running_loop().run_in_executor(_THREADS, handle_message, ctx, record)

    return async_process_partial_response(event=event, record_handler=handle, processor=_processor, context=context)


def handle_message(ctx: jobs.Context, record: SQSRecord) -> list[str]:
    dead_letter = record.event_source_arn.rsplit(":", 1)[-1] == ctx.stack.dlq_url.rsplit("/", 1)[-1]
    try:
        outcomes = []
        for source in notifications.created(record.body):
            if not source.key.startswith(ctx.stack.upload_prefix):
                continue
            outcomes.append(jobs.give_up(ctx, source) if dead_letter else jobs.run(ctx, source))
        return outcomes
    except jobs.OutOfTime as reason:
        # A new message, not a retry: it must not count towards the dead-letter queue.
        client("sqs", ctx.stack).send_message(QueueUrl=ctx.stack.queue_url, MessageBody=record.body)
        logger.info("sent back to the queue", extra={"message_id": record.message_id, "why": str(reason)})
        return ["requeued"]
    except Exception:
        logger.exception("message failed, will retry", extra={"message_id": record.message_id})
        if not dead_letter:
            _retry_soon(ctx, record)
        raise


def _retry_soon(ctx: jobs.Context, record: SQSRecord) -> None:
    """Bring a message that failed for a passing reason back after a short backoff, not after
    the queue's visibility timeout (which is sized for a function that died mid-batch)."""
    tries = int(record.attributes.approximate_receive_count or 1)
    try:
        client("sqs", ctx.stack).change_message_visibility(
            QueueUrl=ctx.stack.queue_url, ReceiptHandle=record.receipt_handle,
            VisibilityTimeout=min(RETRY_BACKOFF_S * 2 ** (tries - 1), 900))
    except Exception:  # noqa: BLE001 - then it comes back after the visibility timeout, as AWS would
        logger.warning("could not shorten the retry delay", extra={"message_id": record.message_id})
