#!/usr/bin/env bash
# Verifies the Spark recipe tests/spark/pipe_clean.py end to end, in Spark local mode.
#
#   bash tests/spark/run.sh
#
# Installs pyspark into a venv, builds a JSON Lines input from training-data/*.html (plus
# deliberately broken records), runs pipe_clean.py on local[2] with several partitions,
# and checks that every record comes back exactly once, in order, with its passthrough
# fields unchanged, and the same as boilerclass run directly on the whole file.
# Does not build boilerclass. Needs java (8/11/17) and python3 (>= 3.8); network only
# for `pip install` (PyPI).
#
# Environment:
#   BOILERCLASS             binary to test (default: <repo>/target/release/boilerclass)
#   BOILERCLASS_SPARK_VENV  venv to create or reuse (default: a fresh one in a temp dir)
#   PYSPARK_VERSION         (default 3.5.9)   RECORDS (default 300)   PARTITIONS (default 8)
#   PYTHON                  python for the venv (default python3)
#   KEEP_WORK=1             keep the temp dir (input, output, logs) and print its path
set -euo pipefail

start_ns=$(date +%s%N)
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${BOILERCLASS:-$repo/target/release/boilerclass}
pyspark_version=${PYSPARK_VERSION:-3.5.9}
records=${RECORDS:-300}
partitions=${PARTITIONS:-8}
python=${PYTHON:-python3}

fail() { echo "tests/spark/run.sh: FAIL: $*" >&2; exit 1; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }

work=$(mktemp -d "${TMPDIR:-/tmp}/boilerclass-spark.XXXXXX")
if [[ ${KEEP_WORK:-} == 1 ]]; then
  trap 'echo "tests/spark/run.sh: work dir kept: $work" >&2' EXIT
else
  trap 'rm -rf "$work"' EXIT
fi

# --- preconditions -------------------------------------------------------------------
if [[ $bin != */* ]]; then
  bin=$(command -v "$bin") || fail "$bin not found on PATH (build it, or set BOILERCLASS)"
fi
[[ -x $bin ]] || fail "no executable boilerclass at $bin (build it, or set BOILERCLASS)"
"$bin" clean --help 2>/dev/null | grep -q -- '--input-jsonl' \
  || fail "$bin does not support 'clean --input-jsonl' (stale build?)"
command -v java >/dev/null || fail "java not found on PATH (Spark needs Java 8, 11 or 17)"
command -v "$python" >/dev/null || fail "$python not found"
shopt -s nullglob
pages=("$repo"/training-data/*.html)
shopt -u nullglob
(( ${#pages[@]} > 0 )) || fail "no pages in $repo/training-data/*.html"

# --- pyspark in a venv ---------------------------------------------------------------
venv=${BOILERCLASS_SPARK_VENV:-$work/venv}
pip_secs=skipped
if ! "$venv/bin/python" -c "import pyspark, sys; sys.exit(pyspark.__version__ != '$pyspark_version')" \
    2>/dev/null; then
  t0=$(date +%s%N)
  "$python" -m venv "$venv" || fail "could not create a venv at $venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "pyspark==$pyspark_version" >"$work/pip.log" 2>&1 \
    || { cat "$work/pip.log" >&2; fail "pip install pyspark==$pyspark_version failed"; }
  pip_secs=$(secs "$t0" "$(date +%s%N)")s
fi
py=$venv/bin/python

# A hermetic Spark: the venv's pyspark (not some SPARK_HOME), loopback only, no UI,
# temp files in the work dir, WARN-level logs.
unset SPARK_HOME PYTHONPATH PYSPARK_SUBMIT_ARGS SPARK_CONF_DIR
export PYSPARK_PYTHON=$py PYSPARK_DRIVER_PYTHON=$py
export SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_HOSTNAME=localhost SPARK_LOCAL_DIRS=$work/tmp
export SPARK_CONF_DIR=$work/conf
mkdir -p "$SPARK_CONF_DIR" "$work/tmp"
cat >"$SPARK_CONF_DIR/log4j2.properties" <<'EOF'
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
logger.nativecode.name = org.apache.hadoop.util.NativeCodeLoader
logger.nativecode.level = error
EOF

# --- input: good pages, each with a unique id and passthrough fields, + broken ones ---
"$py" - "$work/pages.jsonl" "$records" "${pages[@]}" <<'EOF'
import json, os, sys
out, n, paths = sys.argv[1], int(sys.argv[2]), sorted(sys.argv[3:])
htmls = [(os.path.basename(p), open(p, "rb").read().decode("utf-8", "replace")) for p in paths]
broken = {
    n // 3: {"id": "broken-html-not-string", "url": "https://example.test/broken/1", "html": 12345},
    2 * n // 3: {"id": "broken-no-html", "url": "https://example.test/broken/2", "page": None},
}
with open(out, "w", encoding="utf-8") as f:
    for i in range(n):
        if i in broken:
            f.write(json.dumps(broken[i]) + "\n")
        name, html = htmls[i % len(htmls)]
        rec = {"id": "page-%05d" % i,
               "url": "https://example.test/%s?copy=%d&q=\u00fc\u2028x" % (name, i),
               "meta": {"n": i, "tags": ["a", "\u00e9"], "score": 0.5, "ok": True}}
        rec["html"] = html  # html in the middle: fields after it must pass through too
        rec["lang"] = name[:2]
        f.write(json.dumps(rec) + "\n")
EOF

# --- the Spark run -------------------------------------------------------------------
t0=$(date +%s%N)
"$venv/bin/spark-submit" --master 'local[2]' \
  --conf spark.ui.enabled=false \
  --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 \
  --driver-java-options "-Djava.io.tmpdir=$work/tmp" \
  "$here/pipe_clean.py" "$work/pages.jsonl" "$work/out" \
  --boilerclass "$bin" --partitions "$partitions" \
  >"$work/spark.out" 2>"$work/spark.err" \
  || { grep -m 8 -E 'PIPE_FUNCTION_EXITED|^[A-Za-z.]*(Error|Exception):' "$work/spark.err" >&2 || tail -n 40 "$work/spark.err" >&2
       fail "spark-submit pipe_clean.py failed (full log: KEEP_WORK=1, then <work>/spark.err)"; }
spark_secs=$(secs "$t0" "$(date +%s%N)")
summary=$(grep '^pipe_clean:' "$work/spark.out" || true)

# --- reference: the same input through boilerclass directly, without Spark -----------
rc=0
"$bin" clean --input-jsonl - --jsonl --quiet --jobs 2 <"$work/pages.jsonl" >"$work/direct.jsonl" 2>"$work/direct.err" || rc=$?
[[ $rc == 2 ]] || fail "direct run: expected exit code 2 (some records failed), got $rc"

# --- checks --------------------------------------------------------------------------
"$py" - "$work" "$partitions" "$pip_secs" "$spark_secs" "$start_ns" "$summary" <<'EOF'
import glob, json, os, sys, time
from collections import Counter
work, want_parts = sys.argv[1], int(sys.argv[2])
pip_secs, spark_secs, start_ns, summary = sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]
problems = []
def problem(msg):
    problems.append(msg)

def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]

inputs = load(os.path.join(work, "pages.jsonl"))
if not os.path.exists(os.path.join(work, "out", "_SUCCESS")):
    problem("no _SUCCESS marker in the output dir")
parts = sorted(glob.glob(os.path.join(work, "out", "part-*")))
outputs, non_empty = [], 0
for p in parts:
    with open(p, encoding="utf-8") as f:
        lines = [l for l in f.read().split("\n") if l]
    non_empty += bool(lines)
    for l in lines:
        try:
            rec = json.loads(l)
        except ValueError as e:
            problem("%s: not JSON (%s): %.120r" % (os.path.basename(p), e, l))
            continue
        outputs.append(rec)
if len(parts) != want_parts or non_empty < 2:
    problem("expected %d partitions with data in several, got %d part files, %d non-empty"
            % (want_parts, len(parts), non_empty))

in_ids = [r["id"] for r in inputs]
out_ids = [r.get("id") for r in outputs]
counts = Counter(out_ids)
missing = [i for i in in_ids if i not in counts]
dups = sorted(i for i, c in counts.items() if c > 1)
extra = sorted(str(i) for i in counts if i not in set(in_ids))
if missing: problem("%d records lost, e.g. %s" % (len(missing), missing[:5]))
if dups: problem("%d records duplicated, e.g. %s" % (len(dups), dups[:5]))
if extra: problem("%d unexpected records, e.g. %s" % (len(extra), extra[:5]))
if not (missing or dups or extra) and out_ids != in_ids:
    problem("records are complete but not in input order")

by_id = {r.get("id"): r for r in outputs}
direct = {r.get("id"): r for r in load(os.path.join(work, "direct.jsonl"))}
ok = errors = 0
for inp in inputs:
    out = by_id.get(inp["id"])
    if out is None:
        continue
    for k, v in inp.items():
        if k != "html" and out.get(k, KeyError) != v:
            problem("%s: passthrough field %r changed: %.80r -> %.80r"
                    % (inp["id"], k, v, out.get(k, "<missing>")))
    if "html" in out:
        problem("%s: output still has the html field" % inp["id"])
    if "source" not in out:
        problem("%s: no source field" % inp["id"])
    if inp["id"].startswith("broken-"):
        errors += 1
        if not (isinstance(out.get("error"), str) and out["error"]):
            problem("%s: broken record without an error: %.200r" % (inp["id"], out))
        if "text" in out:
            problem("%s: broken record with a text" % inp["id"])
    else:
        ok += 1
        if "error" in out:
            problem("%s: unexpected error: %s" % (inp["id"], out["error"]))
        elif not (isinstance(out.get("text"), str) and out["text"].strip()):
            problem("%s: empty or missing text" % inp["id"])
        elif "encoding" not in out:
            problem("%s: no encoding field" % inp["id"])
    ref = direct.get(inp["id"])
    strip = lambda r: {k: v for k, v in r.items() if k != "source"}
    if ref is None:
        problem("%s: missing from the direct (non-Spark) run" % inp["id"])
    elif strip(ref) != strip(out):
        problem("%s: Spark output differs from the direct run" % inp["id"])

if problems:
    for m in problems[:25]:
        print("  " + m, file=sys.stderr)
    if len(problems) > 25:
        print("  ... and %d more" % (len(problems) - 25), file=sys.stderr)
    print("tests/spark/run.sh: FAIL: %d problems (see above); %s" % (len(problems), summary),
          file=sys.stderr)
    sys.exit(1)
elapsed = (time.time_ns() - start_ns) / 1e9
print("tests/spark: OK: %d records (%d text, %d error) through %d partitions on local[2], "
      "each once, in order, passthrough intact, same as direct run; "
      "elapsed %.1fs (pip install %s, spark-submit %ss)"
      % (len(outputs), ok, errors, len(parts), elapsed, pip_secs, spark_secs))
EOF
