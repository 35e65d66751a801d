#!/usr/bin/env python3
"""Clean web pages at scale: boilerclass on Spark through RDD.pipe.

Input: JSON Lines, one page per line: {"html": "<html>...", "id": ..., "url": ..., ...}
Output: a directory of JSON Lines part files, one line per input line, in input order:
the input's fields except "html", plus "text" and "encoding", or plus "error" for a
page that failed. Failed pages are data, not task failures.

    spark-submit --master yarn pipe_clean.py pages.jsonl cleaned/ \
        --boilerclass /opt/boilerclass/bin/boilerclass --partitions 200

The boilerclass binary must be at the same path on every executor (or on the PATH
below). Each Spark task starts one `boilerclass clean` process for its partition and
streams the partition's lines through it; `--jobs 1` because Spark already runs one
task per core.
"""

import argparse
import json
import os
import shlex
import shutil
import sys

from pyspark.sql import SparkSession


def pipe_command(binary):
    """The command line RDD.pipe runs once per partition.

    boilerclass exits 2 when some records failed; those come back as {"error": ...}
    lines, so 2 is mapped to 0. Any other non-zero exit (crash, kill, bad flag) still
    fails the task (checkCode=True), and Spark retries it, so lines are never lost
    silently. RDD.pipe splits the command with shlex, so it is one `sh -c` argument.
    """
    script = (
        '"$0" clean --input-jsonl - --jsonl --quiet --jobs 1; '
        'rc=$?; [ "$rc" -eq 2 ] && exit 0; exit "$rc"'
    )
    return "sh -c " + shlex.quote(script) + " " + shlex.quote(binary)


# RDD.pipe does not inherit the worker's environment: env=None means an EMPTY one.
# Give the child a small, explicit one: a PATH (to find `boilerclass` and `sh`) and a
# UTF-8 locale, and nothing of the JVM's or the Python worker's variables.
PIPE_ENV = {
    "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
    "LC_ALL": "C.UTF-8",
    "RUST_BACKTRACE": "1",
}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("input", help="JSON Lines file(s) or directory, any path Spark reads")
    p.add_argument("output", help="output directory (must not exist)")
    p.add_argument("--boilerclass", default=os.environ.get("BOILERCLASS", "boilerclass"),
                   help="path of the binary on the executors (default: $BOILERCLASS or "
                        "`boilerclass` on PATH)")
    p.add_argument("--partitions", type=int, default=0,
                   help="minimum number of partitions (= boilerclass processes) "
                        "(default: Spark's default parallelism)")
    args = p.parse_args(argv)

    if shutil.which(args.boilerclass, path=PIPE_ENV["PATH"]) is None:
        print("pipe_clean: warning: %s not found on the driver; it must exist on every "
              "executor" % args.boilerclass, file=sys.stderr)

    spark = SparkSession.builder.appName("boilerclass-clean").getOrCreate()
    sc = spark.sparkContext
    sc.setLogLevel("WARN")
    partitions = args.partitions or sc.defaultParallelism

    # Each line is passed to boilerclass as it is: lines of a text file hold no
    # newline. (Building records in Python? Use json.dumps(obj), which escapes every
    # newline inside strings, or DataFrame.toJSON() for a DataFrame with an html column.)
    pages = sc.textFile(args.input, minPartitions=partitions)
    if pages.getNumPartitions() < partitions:
        # e.g. one .gz file, which Spark cannot split; this shuffle gives up input order.
        pages = pages.repartition(partitions)
    pages = pages.filter(lambda line: line.strip())  # blank lines are not records

    total, errors = sc.accumulator(0), sc.accumulator(0)

    def checked(line):
        # boilerclass writes exactly one JSON object per input line; anything else is a bug.
        record = json.loads(line)
        if not isinstance(record, dict):
            raise ValueError("boilerclass output is not a JSON object: %.200r" % line)
        total.add(1)
        errors.add(int("error" in record))
        return line  # written as boilerclass wrote it

    cleaned = (pages
               .pipe(pipe_command(args.boilerclass), env=PIPE_ENV, checkCode=True)
               .map(checked))
    cleaned.saveAsTextFile(args.output)

    print("pipe_clean: %d records, %d errors, %d partitions -> %s"
          % (total.value, errors.value, cleaned.getNumPartitions(), args.output))
    spark.stop()


if __name__ == "__main__":
    main()
