#!/bin/sh
# Starts a national node (after `npm run build`) the way production runs it: `npm run start:node`,
# the Docker image's default command, scripts/demo.sh and the benchmark all come through here.
#
# V8 heap settings, the one place they are set (measured in docs/benchmark.md, "Node RSS"):
#   --max-semi-space-size=4   young generation 2 x 4 MiB instead of V8's 2 x 16 MiB: with the
#                             ingest path making about half the garbage it did (fewer copies of
#                             each record), it is collected as often as 2 x 8 MiB was before, and
#                             the resident set stays under 150 MiB under full ingest
#   --max-old-space-size=512  a ceiling well above need that also makes V8 let the old generation
#                             grow by a factor of 1.3-2 between collections instead of up to 4
#                             (V8 scales its largest growing factor with the ceiling). 4 concurrent
#                             bodies of the largest size (BODY_LIMIT_BYTES, 16 MiB, 5,000 records)
#                             fit with room to spare: they passed even with a 160 MiB ceiling.
# Anything in NODE_OPTIONS comes after these and wins (V8 takes the last value of a flag), e.g.
# NODE_OPTIONS=--max-old-space-size=2048 for a node given much larger bodies (docs/operations.md).
set -e
root=$(cd "$(dirname "$0")/../.." && pwd)
NODE_OPTIONS="--max-semi-space-size=4 --max-old-space-size=512${NODE_OPTIONS:+ $NODE_OPTIONS}"
export NODE_OPTIONS
exec node "$root/dist/apps/national-node/src/main.js" "$@"
