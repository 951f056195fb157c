#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target, one file an input:
    tests/fuzz/make_seeds.py <repo> <out>   ->  <out>/<target>/<name>

Inputs are laid out as each harness reads them (its first byte picks the
decoder, see tests/fuzz/fuzz_*.cpp); the bytes come from the reference's
golden vectors (tests/vectors/*.json), the configuration files of the repo
(config/default.yaml, config/examples, the tests' configurations) and, for
the LMDB format, the layouts storage/lmdb/format.hpp documents. Generated
at fuzz time into the build directory, never committed.
"""

import json
import re
import struct
import sys
from pathlib import Path

repo = Path(sys.argv[1])
out = Path(sys.argv[2])
vectors = repo / "tests" / "vectors"
written = {}


def seed(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    directory = out / target
    directory.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    (directory / safe).write_bytes(data)
    written[target] = written.get(target, 0) + 1


def load(name):
    return json.loads((vectors / name).read_text(encoding="utf-8"))


current = load("eventer_vectors.json")
legacy = load("eventer_vectors_legacy_v0.9.0.json")
frames = load("chatter_frames.json")

# fuzz_eventer_decode: byte % 10 picks the message, bit 0x80 the v0.9.0
# dialect (130 + i keeps both: 130 % 10 == 0).
eventer_names = ["MsgInitReq", "MsgInitRes", "MsgStatusNotify",
                 "MsgEventsNotify", "MsgEventsAck", "MsgStatusAck",
                 "MsgRegisterReq", "MsgRegisterRes", "MsgQueryReq",
                 "MsgQueryRes"]
for vector in current + legacy:
    if vector["module"] != "HatEventer" or vector["type"] not in eventer_names:
        continue
    index = eventer_names.index(vector["type"])
    body = bytes.fromhex(vector["hex"])
    is_legacy = vector in legacy
    if not is_legacy:
        seed("fuzz_eventer_decode", vector["name"], bytes([index]) + body)
    # Everything but Status is the same in both dialects.
    seed("fuzz_eventer_decode", vector["name"] + ".v0.9.0",
         bytes([130 + index]) + body)

# fuzz_observer_decode: byte % 3 picks the message.
observer_names = ["MsgClient", "MsgServer", "MsgClose"]
for vector in current:
    if vector["module"] == "HatObserver":
        index = observer_names.index(vector["type"])
        seed("fuzz_observer_decode", vector["name"],
             bytes([index]) + bytes.fromhex(vector["hex"]))

# fuzz_adminer: byte 0 even, byte 1 % 4 picks the message; byte 0 odd, a
# set's JSON text.
adminer_names = ["MsgGetLogConfReq", "MsgGetLogConfRes", "MsgSetLogConfReq",
                 "MsgSetLogConfRes"]
for vector in load("ops/adminer_vectors.json"):
    index = adminer_names.index(vector["type"])
    seed("fuzz_adminer", vector["name"],
         bytes([0, index]) + bytes.fromhex(vector["hex"]))
    if vector["type"] == "MsgSetLogConfReq":
        seed("fuzz_adminer", vector["name"] + ".set",
             b"\x01" + vector["value"].encode())

# fuzz_chatter_receive: first byte % 64 + 1 is the chunk size, then the
# stream. The harness's frame limit is 4096 bytes: the 71 KiB frame is cut
# to the fuzzer's -max_len anyway, so it is left out.
small = [bytes.fromhex(f["hex"]) for f in frames if len(f["hex"]) // 2 <= 4096]
for frame in frames:
    data = bytes.fromhex(frame["hex"])
    if len(data) > 4096:
        continue
    for chunk in (0, 7, 63):
        seed("fuzz_chatter_receive", f"{frame['name']}.chunk{chunk + 1}",
             bytes([chunk]) + data)
seed("fuzz_chatter_receive", "all_frames.chunk5", bytes([4]) + b"".join(small))

# fuzz_lmdb_format: byte % 11 picks the decoder (see the harness).
def u64(v):
    return struct.pack(">Q", v)


def event_id(server, session, instance):
    return u64(server) + u64(session) + u64(instance)


def timestamp(s, us):
    return u64(s + (1 << 63)) + struct.pack(">I", us)


lmdb = {
    0: {"uint_0": u64(0), "uint_1": u64(1), "uint_max": u64((1 << 64) - 1)},
    1: {"settings_version": u64(0), "settings_identifier": u64(1)},
    2: {"event_id": event_id(1, 2, 3), "event_id_max":
        event_id((1 << 63) - 1, (1 << 63) - 1, (1 << 63) - 1)},
    3: {"timestamp": timestamp(1700000000, 123456),
        "timestamp_negative": timestamp(-1, 999999)},
    4: {"timeseries_key": u64(7) + timestamp(1700000000, 5) +
        event_id(1, 2, 3)},
    5: {"refs_latest": bytes([4]) + u64(9),
        "refs_both": bytes([4]) + u64(9) + bytes([6]) + u64(7) +
        timestamp(1700000000, 5) + event_id(1, 2, 3)},
    7: {"setting_version": '"0.9"', "setting_null": "null",
        "setting_identifier": '"server \\u00e9"'},
    8: {"type": '["a", "b", "c"]', "type_empty": "[]"},
    9: {"partition": '{"order": "timestamp", "subscriptions": [["a", "*"]]}',
        "partition_source": '{"order": "sourceTimestamp", "subscriptions": '
                            '[["a", "?", "c"], ["b"]]}'},
}
for vector in current:
    if vector["module"] == "HatEventer" and vector["type"] == "Event":
        lmdb.setdefault(6, {})[vector["name"]] = bytes.fromhex(vector["hex"])
json_texts = {}
for vector in current:
    if vector["type"] == "EventPayload" and vector["value"][0] == "json":
        json_texts[vector["name"]] = vector["value"][1]
json_texts.update({
    "json_numbers": '{"a": [1, -2.5, 1e-05, 1e+16, 9007199254740993]}',
    "json_strings": '["\\u00e9\\ud83d\\ude00", "tab\\t", ""]',
    "json_literals": "[true, false, null, {}]",
})
lmdb[10] = json_texts
for selector, values in lmdb.items():
    for name, data in values.items():
        if isinstance(data, str):
            data = data.encode()
        seed("fuzz_lmdb_format", name, bytes([selector]) + data)

# fuzz_json_validation (event payload validation): the JSON texts.
for name, text in json_texts.items():
    seed("fuzz_json_validation", name, text)

# fuzz_toml_payload: the TOML texts of the conversion's tests.
toml_test = (repo / "tests" / "config" / "toml_to_json_test.cpp").read_text()
for i, text in enumerate(re.findall(r'dumps\("((?:[^"\\]|\\.)*)"', toml_test)):
    seed("fuzz_toml_payload", f"test_{i}.toml",
         text.encode().decode("unicode_escape").encode("latin-1"))

# fuzz_config_yaml / fuzz_config_json: the repo's configuration files and
# those the configuration tests build.
config = repo / "config"
yaml_files = [config / "default.yaml", *sorted(config.glob("examples/*.yaml"))]
json_files = sorted(config.glob("examples/*.json"))
for path in yaml_files + json_files:  # YAML reads JSON too
    seed("fuzz_config_yaml", path.name, path.read_bytes())
for path in json_files:
    seed("fuzz_config_json", path.name, path.read_bytes())
test = (repo / "tests" / "config" / "server_config_test.cpp").read_text()
base = "".join(re.findall(r'\{"\w+", "([^"]*\\n)"\}', test))
base = base.replace("\\n", "\n")
if base:
    seed("fuzz_config_yaml", "test_base.yaml", base)
for i, text in enumerate(re.findall(r'R"\((.*?)\)"', test, re.S)):
    kind = "json" if text.lstrip().startswith("{") else "yaml"
    seed(f"fuzz_config_{kind}", f"test_raw_{i}.{kind}", text)
try:  # the YAML files as JSON, when PyYAML is there
    import yaml
    for path in yaml_files:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        seed("fuzz_config_json", path.stem + ".as.json",
             json.dumps(document, indent=2, default=str))
    if base:
        seed("fuzz_config_json", "test_base.as.json",
             json.dumps(yaml.safe_load(base)))
except ImportError:
    pass

for target, count in sorted(written.items()):
    print(f"seeds: {target}: {count}")
