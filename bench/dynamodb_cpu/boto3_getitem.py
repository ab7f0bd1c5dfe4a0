#!/usr/bin/env python3
"""boto3's side of bench/dynamodb_cpu/run.sh.

  boto3_getitem.py setup ENDPOINT TABLE              create TABLE with the one item
  boto3_getitem.py run ENDPOINT TABLE CALLS WARMUP   time CALLS GetItem calls

The low-level client, as a performance-minded user would use it (the resource
API would add type conversion on top). The process CPU time (user + system)
is measured around the loop only; one JSON line is printed.
"""

import json
import resource
import sys
import time

import boto3


def client(endpoint):
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")


# A typical small profile record (about 300 bytes).
ITEM = {
    "pk": {"S": "user#1"},
    "name": {"S": "Ada Lovelace"},
    "email": {"S": "ada@example.com"},
    "age": {"N": "36"},
    "balance": {"N": "1234.56"},
    "active": {"BOOL": True},
    "tags": {"SS": ["admin", "beta", "math"]},
    "address": {"M": {"city": {"S": "London"}, "zip": {"S": "W1"}, "floor": {"N": "2"}}},
    "logins": {"L": [{"N": "1700000000"}, {"N": "1700003600"}, {"N": "1700007200"}]},
    "avatar": {"B": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
}


def setup(endpoint, table):
    ddb = client(endpoint)
    ddb.create_table(TableName=table,
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 0.2})
    ddb.put_item(TableName=table, Item=ITEM)


def cpu_seconds():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def run(endpoint, table, calls, warmup):
    ddb = client(endpoint)
    key = {"pk": {"S": "user#1"}}
    for _ in range(warmup):
        if "Item" not in ddb.get_item(TableName=table, Key=key):
            sys.exit("boto3_getitem: the item is missing")
    wall0 = time.perf_counter()
    cpu0 = cpu_seconds()
    for _ in range(calls):
        if "Item" not in ddb.get_item(TableName=table, Key=key):
            sys.exit("boto3_getitem: the item is missing")
    cpu = cpu_seconds() - cpu0
    wall = time.perf_counter() - wall0
    print(json.dumps({"client": "boto3", "calls": calls, "cpu_s": round(cpu, 6),
                      "cpu_us_per_call": round(cpu * 1e6 / calls, 3), "wall_s": round(wall, 6)}))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "setup":
        setup(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 6 and sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit(__doc__)
