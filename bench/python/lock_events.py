"""The yardstick bin/bench measures `bin/lock-auditor invoke` against: a Python Lambda handler with boto3 that records
a lock table stream batch in the history table with one BatchWriteItem, run as a whole process on an event file
(python3 lock_events.py EVENT_FILE), as a minimal Python function would be invoked locally."""
import json
import os
import sys

import boto3

dynamodb = boto3.client("dynamodb")


def handler(event, context):
    items = []
    for record in event["Records"]:
        image = record["dynamodb"].get("NewImage") or record["dynamodb"].get("OldImage") or {}
        lock_id = record["dynamodb"]["Keys"]["LockID"]["S"]
        items.append({"PutRequest": {"Item": {
            "statePath": {"S": lock_id},
            "eventKey": {"S": "%s#%s" % (record["dynamodb"]["SequenceNumber"], record["eventID"])},
            "event": {"S": "LOCK_ACQUIRED" if record["eventName"] == "INSERT" else "LOCK_RELEASED"},
            "lockInfo": {"S": image.get("Info", {}).get("S", "")},
        }}})
    dynamodb.batch_write_item(RequestItems={os.environ["HISTORY_TABLE"]: items[:25]})
    return {"batchItemFailures": []}


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        print(json.dumps(handler(json.load(f), None)))
