"""The plan-level tests of the Terraform configuration (terraform/tests/*.tftest.hcl): each module
and composition, the parts only AWS has among them (the web app's hosting, the pipeline), planned
with the project's one mock AWS provider (terraform/tests/mocks), offline."""

import re
import shutil

from support import REPO, terraform

RUN_BLOCK = re.compile(r'^run\s+"([^"]+)"', re.MULTILINE)


def test_every_terraform_test_passes(tmp_path):
    work = tmp_path / "terraform"
    shutil.copytree(REPO / "terraform", work, ignore=shutil.ignore_patterns(".terraform", "terraform.tfstate*"))
    test_files = sorted((work / "tests").glob("*.tftest.hcl"))
    assert test_files, "no terraform/tests/*.tftest.hcl"
    init = terraform("init", "-backend=false", "-input=false", "-no-color", cwd=work)
    assert init.returncode == 0, init.stdout + init.stderr

    result = terraform("test", "-no-color", cwd=work)

    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    for test_file in test_files:
        runs = RUN_BLOCK.findall(test_file.read_text())
        assert runs, f"{test_file.name} has no run blocks"
        for run in runs:
            assert re.search(rf'run "{re.escape(run)}"\.\.\. pass', report), f"{test_file.name}: {run} did not pass\n{report}"


# --- the web app's task role grants what its code calls, by name --------------------------------

# The AWS services the web app's code calls (webapp/context.py aws(...), photo_jobs.aws).
WEB_SERVICES = ("s3", "sqs", "lambda", "ses", "cloudwatch", "ssm", "secretsmanager")
WEB_CODE = sorted((REPO / "services" / "webapp" / "webapp").rglob("*.py")) + [REPO / "services" / "photo_jobs" / "photo_jobs" / "aws.py"]
# Operations whose IAM action has another name (S3's, mostly); all others are service:Operation.
ACTIONS_OF = {
    "s3:HeadObject": {"s3:GetObject"},
    "s3:ListObjectsV2": {"s3:ListBucket"},
    "s3:ListObjectVersions": {"s3:ListBucketVersions"},
    "s3:CopyObject": {"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"},
    "s3:CreateMultipartUpload": {"s3:PutObject"},
    "s3:UploadPart": {"s3:PutObject"},
    "s3:CompleteMultipartUpload": {"s3:PutObject"},
    "s3:ListParts": {"s3:ListMultipartUploadParts"},
    "s3:ListMultipartUploads": {"s3:ListBucketMultipartUploads"},
    "lambda:Invoke": {"lambda:InvokeFunction"},
}


def _operations_called() -> set[str]:
    """service:Operation for each boto3 method the code calls, signs (presigned URLs) or pages."""
    import boto3

    methods = {}
    for service in WEB_SERVICES:
        client = boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
        for method, operation in client.meta.method_to_api_mapping.items():
            methods.setdefault(method, set()).add(f"{service}:{operation}")
    code = "\n".join(path.read_text() for path in WEB_CODE)
    # calls, and names in quotes: presigned URLs, paginators, the multipart operations (services/uploads.py)
    called = set(re.findall(r"\.(\w+)\(", code)) | set(re.findall(r"""["'](\w+)["']""", code))
    return {operation for method in called for operation in methods.get(method, ())}


def _web_task_actions() -> set[str]:
    import hcl2

    with open(REPO / "terraform" / "modules" / "web_hosting" / "main.tf") as config:
        documents = [doc for block in hcl2.load(config)["data"] for kind, docs in block.items()
                     if kind.strip('"') == "aws_iam_policy_document" for name, doc in docs.items()
                     if name.strip('"') == "web_task"]
    [document] = documents
    return {action.strip('"') for statement in document["statement"] for action in statement["actions"]}


def test_the_web_tasks_role_grants_every_aws_call_of_the_web_app():
    called, granted = _operations_called(), _web_task_actions()
    assert {"s3:PutObject", "s3:UploadPart", "sqs:SendMessage", "lambda:Invoke", "ses:SendRawEmail",
            "ssm:GetParameter", "secretsmanager:GetSecretValue", "cloudwatch:GetMetricData"} <= called
    missing = {operation: ACTIONS_OF.get(operation, {operation}) - granted for operation in called
               if ACTIONS_OF.get(operation, {operation}) - granted}
    assert not missing, f"the web app calls these, and its task role (terraform/modules/web_hosting) may not: {missing}"
