#!/usr/bin/env python3
"""Creates IAM users with access keys on a moto_server for signer_moto_test.cc.

  iam_setup.py ENDPOINT

Prints two lines, "full ACCESS_KEY_ID SECRET" and "read_only ACCESS_KEY_ID
SECRET" (plain words, so the C++ test needs no JSON parser). "full" may call every DynamoDB action, "read_only" only
DescribeTable and GetItem. Makes exactly 6 requests (3 per user), which moto
serves without authentication when started with INITIAL_NO_AUTH_ACTION_COUNT=6;
every later request must be signed by one of these keys.
"""

import json
import sys

import boto3


def make_user(iam, name, actions):
    iam.create_user(UserName=name)
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
    }
    iam.put_user_policy(UserName=name, PolicyName=name + "-policy",
                        PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    iam = boto3.client("iam", endpoint_url=argv[1], region_name="us-east-1",
                       aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    keys = {
        "full": make_user(iam, "awsperf-full", ["dynamodb:*"]),
        "read_only": make_user(iam, "awsperf-read-only",
                               ["dynamodb:DescribeTable", "dynamodb:GetItem"]),
    }
    for name, key in keys.items():
        print(name, key["AccessKeyId"], key["SecretAccessKey"])
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception as e:
        print(f"iam_setup.py failed: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
