#!/usr/bin/env python3
"""Generates puente-pprl's clkhash fixtures: synthetic CSVs, schemas covering every option of
linkage schema v3, and the encodings clkhash 0.18.3 makes of them.

    python3 -m venv /tmp/pprl-venv && /tmp/pprl-venv/bin/pip install clkhash==0.18.3 anonlink==0.15.3
    /tmp/pprl-venv/bin/python tools/pprl/gen_fixtures.py

Writes crates/puente-pprl/tests/fixtures/: one directory per schema (schema.json, data.csv,
clks.json), invalid.json (values that break a schema, with clkhash's error), and multiparty/
(three CLK files and anonlink's greedy groups). Every record is synthetic: names drawn from
short lists, dates and numbers at random from a fixed seed.
"""

import base64
import csv
import io
import json
import os
import random
import sys

from clkhash import clk, schema as clk_schema
from clkhash.serialization import serialize_bitarray

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "crates", "puente-pprl", "tests", "fixtures")
SECRET = "shared secret of the demo organisations"

GIVEN = ["María José", "José", "Ana Lucía", "Juan Pablo", "Ñusta", "Chepe", "Zoë", "Luis", "Andrés", "Guadalupe"]
SURNAMES = ["Hernández López", "de la Cruz", "Xicará", "Pérez Sánchez", "Núñez", "García", "Ixcoy", "Ramírez"]
CITIES = ["GT", "MX", "SV", "HN", "US"]


def b64(text):
    return base64.b64encode(text.encode()).decode()


def blake_feature(identifier, fmt, comparison, strategy, **extra):
    hashing = {"comparison": comparison, "strategy": strategy}
    hashing.update(extra)
    return {"identifier": identifier, "format": fmt, "hashing": hashing}


SCHEMAS = {
    # BLAKE2 everywhere, the default HKDF, every feature type.
    "blake_every_type": {
        "version": 3,
        "clkConfig": {"l": 1024, "kdf": {"type": "HKDF"}},
        "features": [
            {"identifier": "row_id", "ignored": True},
            blake_feature("given", {"type": "string", "encoding": "utf-8", "case": "mixed", "maxLength": 40},
                          {"type": "ngram", "n": 2}, {"bitsPerToken": 15}),
            blake_feature("surname", {"type": "string", "minLength": 1},
                          {"type": "ngram", "n": 2, "positional": False}, {"bitsPerFeature": 100},
                          hash={"type": "blakeHash"}),
            blake_feature("initial", {"type": "string", "case": "upper", "maxLength": 1},
                          {"type": "ngram", "n": 1, "positional": True}, {"bitsPerToken": 40}),
            blake_feature("dob", {"type": "date", "format": "%Y-%m-%d"},
                          {"type": "ngram", "n": 2, "positional": True}, {"bitsPerToken": 10},
                          missingValue={"sentinel": "", "replaceWith": "19000101"}),
            blake_feature("age", {"type": "integer", "minimum": 0, "maximum": 120},
                          {"type": "numeric", "thresholdDistance": 3, "resolution": 2}, {"bitsPerToken": 8},
                          missingValue={"sentinel": "NA", "replaceWith": ""}),
            blake_feature("country", {"type": "enum", "values": CITIES},
                          {"type": "exact"}, {"bitsPerToken": 30}),
            {"identifier": "notes", "ignored": True, "description": "free text, never hashed"},
        ],
    },
    # The double hash with and without prevent_singularity, SHA512 with salt, info and a key
    # size, an l that is not a multiple of 8, XOR folding.
    "double_hash_folded": {
        "version": 3,
        "clkConfig": {"l": 1021, "xor_folds": 1,
                      "kdf": {"type": "HKDF", "hash": "SHA512", "salt": b64("puente fixture salt"),
                              "info": b64("schema double_hash_folded"), "keySize": 32}},
        "features": [
            {"identifier": "row_id", "ignored": True},
            blake_feature("given", {"type": "string", "case": "mixed"},
                          {"type": "ngram", "n": 2}, {"bitsPerToken": 20},
                          hash={"type": "doubleHash"}),
            blake_feature("surname", {"type": "string"},
                          {"type": "ngram", "n": 3}, {"bitsPerFeature": 120},
                          hash={"type": "doubleHash", "prevent_singularity": True}),
            blake_feature("dob", {"type": "date", "format": "%d/%m/%Y"},
                          {"type": "exact"}, {"bitsPerToken": 25},
                          hash={"type": "doubleHash", "prevent_singularity": False}),
            blake_feature("age", {"type": "integer"},
                          {"type": "numeric", "thresholdDistance": 5, "resolution": 3}, {"bitsPerFeature": 70},
                          hash={"type": "doubleHash", "prevent_singularity": True}),
        ],
    },
    # A tiny filter, so that the double hash meets its singularity (h2 = 0 mod l) often.
    "double_hash_tiny": {
        "version": 3,
        "clkConfig": {"l": 13, "kdf": {"type": "HKDF", "info": b64("tiny")}},
        "features": [
            blake_feature("given", {"type": "string"}, {"type": "ngram", "n": 2}, {"bitsPerToken": 4},
                          hash={"type": "doubleHash", "prevent_singularity": True}),
            blake_feature("surname", {"type": "string"}, {"type": "ngram", "n": 1}, {"bitsPerToken": 3},
                          hash={"type": "doubleHash"}),
        ],
    },
    # Text encodings, patterns, numbers with fractions, more than 32 bits per token (two BLAKE2
    # salts), short keys, SHA256 with info only, two XOR folds.
    "encodings_and_patterns": {
        "version": 3,
        "clkConfig": {"l": 512, "xor_folds": 2,
                      "kdf": {"type": "HKDF", "hash": "SHA256", "info": b64("encodings"), "keySize": 16}},
        "features": [
            {"identifier": "row_id", "ignored": True},
            blake_feature("given", {"type": "string", "encoding": "utf-16"},
                          {"type": "ngram", "n": 2}, {"bitsPerToken": 12}),
            blake_feature("surname", {"type": "string", "encoding": "utf-32", "case": "lower"},
                          {"type": "ngram", "n": 2}, {"bitsPerToken": 12}),
            blake_feature("code", {"type": "string", "encoding": "ascii", "pattern": "[A-Z]{2}-[0-9]{3}"},
                          {"type": "ngram", "n": 1, "positional": True}, {"bitsPerToken": 70}),
            blake_feature("weight", {"type": "string", "pattern": r"[0-9]+(\.[0-9]+)?"},
                          {"type": "numeric", "thresholdDistance": 2.5, "resolution": 2, "fractional_precision": 1},
                          {"bitsPerToken": 6}),
            blake_feature("dob", {"type": "date", "format": "%Y%m%d"},
                          {"type": "ngram", "n": 2}, {"bitsPerFeature": 50},
                          missingValue={"sentinel": "unknown"}),
            blake_feature("city", {"type": "enum", "values": CITIES},
                          {"type": "exact"}, {"bitsPerToken": 33},
                          missingValue={"sentinel": "", "replaceWith": "nowhere"}),
        ],
    },
}


def synthetic_rows(rng, count):
    rows = []
    for i in range(count):
        given = rng.choice(GIVEN)
        surname = rng.choice(SURNAMES)
        year, month, day = rng.randint(1950, 2010), rng.randint(1, 12), rng.randint(1, 28)
        rows.append({
            "row_id": str(i),
            "given": given,
            "surname": surname,
            "initial": given[0].upper(),
            "year": year, "month": month, "day": day,
            "age": rng.choice([str(rng.randint(0, 99)), " +7", "NA", "1_0"]) if i % 5 == 0 else str(rng.randint(0, 99)),
            "country": rng.choice(CITIES),
            "notes": rng.choice(["", "llamó dos veces", "refugio"]),
        })
    return rows


def csv_text(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def data_for(name, rng, count):
    rows = synthetic_rows(rng, count)
    out = []
    for i, r in enumerate(rows):
        if name == "blake_every_type":
            dob = "" if i % 7 == 3 else f"{r['year']}-{r['month']:02d}-{r['day']:02d}"
            if i % 9 == 4:
                dob = f"{r['year']}-{r['month']}-{r['day']}"
            out.append([r["row_id"], r["given"], r["surname"], r["initial"], dob, r["age"], r["country"], r["notes"]])
        elif name == "double_hash_folded":
            age = r["age"] if r["age"] != "NA" else "-3"
            given = "" if i % 8 == 5 else r["given"]
            out.append([r["row_id"], given, r["surname"], f"{r['day']:02d}/{r['month']:02d}/{r['year']}", age])
        elif name == "double_hash_tiny":
            out.append([r["given"], r["surname"]])
        elif name == "encodings_and_patterns":
            code = f"{rng.choice(['GT', 'MX', 'US'])}-{rng.randint(0, 999):03d}"
            weight = rng.choice([f"{rng.uniform(30, 110):.2f}", str(rng.randint(30, 110)), "72.25", "72.35"])
            dob = "unknown" if i % 6 == 2 else f"{r['year']}{r['month']:02d}{r['day']:02d}"
            city = "" if i % 5 == 1 else r["country"]
            out.append([r["row_id"], r["given"], r["surname"].lower(), code, weight, dob, city])
    return out


def encode(schema_dict, text):
    schema = clk_schema.from_json_dict(json.loads(json.dumps(schema_dict)))
    clks = clk.generate_clk_from_csv(io.StringIO(text), SECRET, schema, progress_bar=False, max_workers=1)
    return [serialize_bitarray(c) for c in clks]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


INVALID = [
    # (schema, header+rows, what breaks)
    ("encodings_and_patterns", 2, 3, "XX-12", "a code that breaks the pattern"),
    ("blake_every_type", 1, 6, "BR", "a country outside the enum"),
    ("blake_every_type", 3, 4, "1990-02-30", "a date that does not exist"),
    ("blake_every_type", 0, 5, "121", "an age above the maximum"),
    ("blake_every_type", 2, 3, "ab", "an initial longer than maxLength"),
    ("encodings_and_patterns", 1, 2, "López", "an upper-case letter in a lower-case feature"),
    ("encodings_and_patterns", 0, 3, "GT-12\u00e9", "a non-ascii value in an ascii feature"),
]


def main():
    rng = random.Random(20261201)
    manifest = {"secret": SECRET, "cases": []}
    for name, schema_dict in SCHEMAS.items():
        header = [f["identifier"] for f in schema_dict["features"]]
        rows = data_for(name, rng, 24)
        text = csv_text(header, rows)
        clks = encode(schema_dict, text)
        directory = os.path.join(OUT, name)
        write(os.path.join(directory, "schema.json"), json.dumps(schema_dict, indent=2, ensure_ascii=False) + "\n")
        write(os.path.join(directory, "data.csv"), text)
        write(os.path.join(directory, "clks.json"), json.dumps({"clks": clks}, indent=0) + "\n")
        manifest["cases"].append(name)
    write(os.path.join(OUT, "manifest.json"), json.dumps(manifest, indent=2) + "\n")

    invalid = []
    for name, row, column, value, what in INVALID:
        schema_dict = SCHEMAS[name]
        header = [f["identifier"] for f in schema_dict["features"]]
        rows = data_for(name, random.Random(7), 4)
        rows[row][column] = value
        text = csv_text(header, rows)
        try:
            encode(schema_dict, text)
        except Exception as e:  # clkhash's EntryError
            message = str(e)
        else:
            sys.exit(f"clkhash accepted {what}")
        invalid.append({"schema": name, "csv": text, "line": row + 2, "feature": header[column],
                        "what": what, "clkhash_error": message})
    write(os.path.join(OUT, "invalid.json"), json.dumps(invalid, indent=2, ensure_ascii=False) + "\n")

    multiparty()


def multiparty():
    """Three organisations' CLKs of overlapping people, anonlink's candidates and greedy groups."""
    import anonlink
    from clkhash.serialization import deserialize_bitarray

    schema_dict = {
        "version": 3,
        "clkConfig": {"l": 512, "kdf": {"type": "HKDF"}},
        "features": [
            blake_feature("given", {"type": "string"}, {"type": "ngram", "n": 2}, {"bitsPerToken": 15}),
            blake_feature("surname", {"type": "string"}, {"type": "ngram", "n": 2}, {"bitsPerToken": 15}),
            blake_feature("dob", {"type": "string"}, {"type": "ngram", "n": 2, "positional": True}, {"bitsPerToken": 10}),
        ],
    }
    rng = random.Random(99)
    people = [(rng.choice(GIVEN), rng.choice(SURNAMES), f"{rng.randint(1950, 2010)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}")
              for _ in range(40)]

    def typo(text):
        if len(text) < 3 or rng.random() < 0.5:
            return text
        i = rng.randrange(len(text))
        return text[:i] + rng.choice("aeiourn") + text[i + 1:]

    directory = os.path.join(OUT, "multiparty")
    write(os.path.join(directory, "schema.json"), json.dumps(schema_dict, indent=2, ensure_ascii=False) + "\n")
    datasets = []
    for party in range(3):
        chosen = [p for p in people if rng.random() < 0.6]
        rng.shuffle(chosen)
        rows = [[typo(g), typo(s), d] for g, s, d in chosen]
        text = csv_text(["given", "surname", "dob"], rows)
        clks = encode(schema_dict, text)
        write(os.path.join(directory, f"party{party}.json"), json.dumps({"clks": clks}, indent=0) + "\n")
        datasets.append([deserialize_bitarray(c) for c in clks])
    threshold = 0.7
    candidates = anonlink.candidate_generation.find_candidate_pairs(
        datasets, anonlink.similarities.dice_coefficient, threshold)
    groups = anonlink.solving.greedy_solve(candidates)
    groups = sorted(sorted([int(d), int(r)] for d, r in group) for group in groups)
    result = {"threshold": threshold, "candidate_pairs": len(candidates[0]), "groups": groups}
    write(os.path.join(directory, "anonlink_groups.json"), json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
