#!/usr/bin/env bash
# Two builds of ibp timed in turn (A B A B ...) in one run, so that a noisy
# machine affects both alike: each round runs `ibp bench --json` of build A,
# then of build B, and the table gives each case's median ms per step and
# B / A. Cases and backends are matched by the case's letter and the
# backend's name, so builds whose case names differ still line up.
# Usage: scripts/bench-ab.sh A_IBP B_IBP [ROUNDS] [-- BENCH FLAGS...]
#   e.g. scripts/bench-ab.sh /tmp/ibp-old target/release/ibp 3 -- --backend cpu
# A_ARGS and B_ARGS add flags to one build alone, e.g. B_ARGS='--cases
# old.json' times build B on the cases build A had built in.
set -euo pipefail
a=${1:?usage: scripts/bench-ab.sh A_IBP B_IBP [ROUNDS] [-- BENCH FLAGS...]}
b=${2:?usage: scripts/bench-ab.sh A_IBP B_IBP [ROUNDS] [-- BENCH FLAGS...]}
rounds=${3:-3}
shift $(($# > 3 ? 3 : $#))
[ "${1:-}" = "--" ] && shift
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for r in $(seq "$rounds"); do
  for build in a b; do
    bin=$a; extra=${A_ARGS:-}
    [ $build = b ] && { bin=$b; extra=${B_ARGS:-}; }
    echo "round $r, build $build: $bin bench --json $* $extra" >&2
    # shellcheck disable=SC2086 # the extra flags are words
    "$bin" bench --json "$@" $extra > "$out/$build-$r.json"
  done
done
node - "$out" "$rounds" <<'JS'
const [dir, rounds] = process.argv.slice(2);
const fs = require('node:fs');
const rows = { a: new Map(), b: new Map() };
for (const build of ['a', 'b']) {
  for (let r = 1; r <= Number(rounds); r += 1) {
    const bench = JSON.parse(fs.readFileSync(`${dir}/${build}-${r}.json`, 'utf8'));
    for (const row of bench.training) {
      const key = `${row.case.split(':')[0]} ${row.backend}`;
      if (!rows[build].has(key)) rows[build].set(key, []);
      rows[build].get(key).push(row.ms_per_step);
    }
  }
}
const median = (v) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
console.log(`${'case backend'.padEnd(30)} ${'A ms/step'.padStart(11)} ${'B ms/step'.padStart(11)} ${'B / A'.padStart(7)}  A runs | B runs`);
for (const [key, a] of rows.a) {
  const b = rows.b.get(key);
  if (!b) { console.log(`${key.padEnd(30)} only in A`); continue; }
  const [ma, mb] = [median(a), median(b)];
  const runs = (v) => v.map((x) => x.toPrecision(3)).join(' ');
  console.log(`${key.padEnd(30)} ${ma.toFixed(4).padStart(11)} ${mb.toFixed(4).padStart(11)} ${(mb / ma).toFixed(3).padStart(7)}  ${runs(a)} | ${runs(b)}`);
}
JS
