"""Runs one packaged handler the way Lambda does, for tests and bench: stdlib only, one warm process.

Started as `python -I -S -B lambda_invoke.py '{"paths": [...], "module": "functions.web.handler"}'`, it puts
the asset and the runtime stand-in on `sys.path` (as Lambda puts /var/task before /opt/python), imports the
handler module (the cold start) and prints `{"imported": seconds}`. Then each line on stdin is an event; each
answer is printed as one line `{"answer": ..., "seconds": ...}`, or `{"error": ...}` if the handler raised.
"""

import json
import sys
import time
import traceback


class Context:
    """The few LambdaContext fields handlers and Powertools read."""

    function_name = "storyteller-web"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:storyteller-web"
    memory_limit_in_mb = 1024
    aws_request_id = "contract-test"
    log_group_name = "/aws/lambda/storyteller-web"
    log_stream_name = "contract"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 29_000


def main() -> None:
    setup = json.loads(sys.argv[1])
    sys.path[:0] = setup["paths"]
    started = time.perf_counter()
    module = __import__(setup["module"], fromlist=["handler"])
    print(json.dumps({"imported": time.perf_counter() - started}), flush=True)
    for line in sys.stdin:
        event = json.loads(line)
        started = time.perf_counter()
        try:
            answer = module.handler(event, Context())
        except Exception:  # noqa: BLE001 - reported to the test, which fails with it
            print(json.dumps({"error": traceback.format_exc()}), flush=True)
            continue
        print(json.dumps({"answer": answer, "seconds": time.perf_counter() - started}), flush=True)


if __name__ == "__main__":
    main()
