#!/usr/bin/env python3
"""The boto3 side of the awsperf/boto3 interop test (interop_test.cc).

  interop_boto3.py write ENDPOINT TABLE PK   put ITEM under pk=PK with boto3
  interop_boto3.py read  ENDPOINT TABLE PK   get pk=PK with boto3, check it
                                             equals ITEM, print it as JSON

The low-level client is used on purpose: the wire types (S, N, B, SS, ...)
are explicit, so nothing is inferred by a Python type mapping. interop_test.cc
holds the same item written in C++; keep the two in step.

Exit status: 0 when equal; 1 with a message on stderr naming every attribute
that differs; 2 on usage or connection errors.
"""

import base64
import decimal
import json
import sys

import boto3
import botocore.config

# Every DynamoDB type, nested maps and lists, unicode outside the BMP, binary
# with zero bytes, 38-digit numbers, exponents and negative numbers. Numbers
# are written as given here; servers normalise them ("1.5E+10" is stored as
# "15000000000"), so numbers are compared by value.
ITEM = {
    "s": {"S": "hello"},
    "s_empty": {"S": ""},
    "unicode": {"S": "h\u00e9llo w\u00f6rld \u2713 \u2014 \u65e5\u672c\u8a9e \U0001d11e \U0001f600"},
    "n_int": {"N": "42"},
    "n_neg": {"N": "-17.25"},
    "n_big": {"N": "12345678901234567890123456789012345678"},
    "n_neg_max": {"N": "-9.9999999999999999999999999999999999999E+125"},
    "n_tiny": {"N": "1E-130"},
    "n_exp": {"N": "1.5E+10"},
    "n_frac38": {"N": "12345678901234567890123456789012345678E-20"},
    "n_zero": {"N": "0"},
    "b": {"B": b"\x00\x01\x02\x00\xff\xfe"},
    "b_nul": {"B": b"\x00"},
    "bool_t": {"BOOL": True},
    "bool_f": {"BOOL": False},
    "null": {"NULL": True},
    "ss": {"SS": ["a", "b", "\u00fc", "\U0001f600"]},
    "ns": {"NS": ["1", "-2.5", "1E+3", "12345678901234567890123456789012345678"]},
    "bs": {"BS": [b"\x00", b"\x01\x02", b"\xff"]},
    "m": {
        "M": {
            "nested": {
                "M": {
                    "list": {
                        "L": [
                            {"N": "1"},
                            {"S": "x"},
                            {"M": {}},
                            {"L": []},
                            {"NULL": True},
                            {"BOOL": False},
                            {"B": b"\x00\x00"},
                        ]
                    },
                    "deep": {"M": {"deeper": {"M": {"deepest": {"S": "bottom"}}}}},
                }
            },
            "\U0001f600key": {"S": "unicode key"},
            "with space": {"N": "-0.000001"},
        }
    },
    "l": {
        "L": [
            {"S": "a"},
            {"N": "2"},
            {"L": [{"L": [{"S": "nested"}]}]},
            {"M": {"k": {"SS": ["x"]}}},
            {"NS": ["3"]},
            {"BS": [b"\x00"]},
        ]
    },
    "m_empty": {"M": {}},
    "l_empty": {"L": []},
}


def canonical(value):
    """A JSON-able form that compares equal exactly when the DynamoDB values do."""
    (tag, v), = value.items()
    if tag == "N":
        return {"N": _number(v)}
    if tag == "NS":
        return {"NS": sorted(_number(n) for n in v)}
    if tag == "B":
        return {"B": base64.b64encode(bytes(v)).decode()}
    if tag == "BS":
        return {"BS": sorted(base64.b64encode(bytes(b)).decode() for b in v)}
    if tag == "SS":
        return {"SS": sorted(v)}
    if tag == "M":
        return {"M": {k: canonical(x) for k, x in sorted(v.items())}}
    if tag == "L":
        return {"L": [canonical(x) for x in v]}
    if tag in ("S", "BOOL", "NULL"):
        return {tag: v}
    raise ValueError(f"unknown type tag {tag!r}")


def _number(text):
    d = decimal.Decimal(text)
    if d == 0:
        return "0"
    # Same value, same text: strip the exponent's influence on trailing zeros.
    sign, digits, exponent = d.normalize(decimal.Context(prec=60)).as_tuple()
    return ("-" if sign else "") + "".join(map(str, digits)) + "E" + str(exponent)


def client(endpoint):
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        config=botocore.config.Config(retries={"max_attempts": 3}),
    )


def main(argv):
    if len(argv) != 5 or argv[1] not in ("write", "read"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, endpoint, table, pk = argv[1:]
    ddb = client(endpoint)
    if mode == "write":
        ddb.put_item(TableName=table, Item={"pk": {"S": pk}, **ITEM})
        print(json.dumps({"written": pk}))
        return 0

    response = ddb.get_item(TableName=table, Key={"pk": {"S": pk}}, ConsistentRead=True)
    if "Item" not in response:
        print(f"boto3 found no item with pk={pk!r} in {table}", file=sys.stderr)
        return 1
    got = dict(response["Item"])
    if got.pop("pk") != {"S": pk}:
        print("pk differs", file=sys.stderr)
        return 1
    got_c = {k: canonical(v) for k, v in sorted(got.items())}
    want_c = {k: canonical(v) for k, v in sorted(ITEM.items())}
    print(json.dumps(got_c, sort_keys=True, ensure_ascii=False))
    problems = []
    for name in sorted(set(got_c) | set(want_c)):
        if name not in got_c:
            problems.append(f"missing attribute {name!r}")
        elif name not in want_c:
            problems.append(f"unexpected attribute {name!r}: {got_c[name]}")
        elif got_c[name] != want_c[name]:
            problems.append(f"attribute {name!r}: got {got_c[name]}, want {want_c[name]}")
    if problems:
        print("boto3 read an item that differs from what awsperf wrote:", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception as e:  # a clear message for the C++ test's failure output
        print(f"interop_boto3.py failed: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(2)
