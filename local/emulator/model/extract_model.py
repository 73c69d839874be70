#!/usr/bin/env python3
"""Extract the slice of the official Proton model that the local emulator validates against.

The source is botocore's service-2.json.gz (the one published model that keeps every
length/pattern/enum constraint). Only operations the emulator serves are kept, with the
shapes reachable from their inputs; documentation is dropped so the file stays small and
diffs stay readable. Output is deterministic so a stale copy can be detected in CI.

Usage:
  python3 local/emulator/model/extract_model.py            # rewrite proton-model.json
  python3 local/emulator/model/extract_model.py --stdout   # print instead (staleness check)
"""
import gzip
import json
import os
import sys

OPERATIONS = [
    "CancelServiceInstanceDeployment",
    "CreateService",
    "CreateServiceInstance",
    "DeleteService",
    "GetService",
    "GetServiceInstance",
    "ListServiceInstanceOutputs",
    "ListServiceInstances",
    "ListTagsForResource",
    "TagResource",
    "UntagResource",
    "UpdateService",
    "UpdateServiceInstance",
]

# Keys copied from a shape as-is; anything else (documentation, deprecation notes) is dropped.
SHAPE_KEYS = ["type", "required", "min", "max", "pattern", "enum", "sensitive", "box"]
ERROR_KEYS = ["fault", "retryable", "error"]
METADATA_KEYS = ["apiVersion", "jsonVersion", "protocol", "targetPrefix", "endpointPrefix", "signingName", "serviceId"]

OUT_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "proton-model.json")


def load_botocore_model():
    try:
        import botocore
    except ImportError:
        sys.stderr.write("extract_model.py: python module 'botocore' is not installed (pip install botocore)\n")
        sys.exit(2)
    path = os.path.join(os.path.dirname(botocore.__file__), "data", "proton", "2020-07-20", "service-2.json.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return botocore.__version__, json.load(f)


def slim_shape(shape):
    out = {k: shape[k] for k in SHAPE_KEYS if k in shape}
    if shape["type"] == "structure":
        out["members"] = {name: m["shape"] for name, m in shape.get("members", {}).items()}
        tokens = sorted(name for name, m in shape.get("members", {}).items() if m.get("idempotencyToken"))
        if tokens:
            out["idempotencyTokens"] = tokens
    elif shape["type"] == "list":
        out["member"] = shape["member"]["shape"]
    elif shape["type"] == "map":
        out["key"] = shape["key"]["shape"]
        out["value"] = shape["value"]["shape"]
    return out


def referenced(shape):
    if shape["type"] == "structure":
        return [m["shape"] for m in shape.get("members", {}).values()]
    if shape["type"] == "list":
        return [shape["member"]["shape"]]
    if shape["type"] == "map":
        return [shape["key"]["shape"], shape["value"]["shape"]]
    return []


def extract(version, model):
    shapes = model["shapes"]
    operations = {}
    reachable = set()
    error_names = set()
    for name in OPERATIONS:
        op = model["operations"][name]
        errors = sorted(e["shape"] for e in op.get("errors", []))
        error_names.update(errors)
        operations[name] = {
            "input": op["input"]["shape"],
            "output": op["output"]["shape"],
            "errors": errors,
            "idempotent": bool(op.get("idempotent", False)),
        }
        pending = [op["input"]["shape"]]
        while pending:
            shape_name = pending.pop()
            if shape_name in reachable:
                continue
            reachable.add(shape_name)
            pending.extend(referenced(shapes[shape_name]))
    errors = {}
    for name in sorted(error_names):
        shape = shapes[name]
        errors[name] = {k: shape[k] for k in ERROR_KEYS if k in shape}
    return {
        "source": {"package": "botocore", "version": version, "file": "botocore/data/proton/2020-07-20/service-2.json.gz"},
        "metadata": {k: model["metadata"][k] for k in METADATA_KEYS if k in model["metadata"]},
        "operations": operations,
        "errors": errors,
        "shapes": {name: slim_shape(shapes[name]) for name in sorted(reachable)},
    }


def main(argv):
    version, model = load_botocore_model()
    text = json.dumps(extract(version, model), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if "--stdout" in argv:
        sys.stdout.write(text)
    else:
        with open(OUT_FILE, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
