"""A longer fuzz run than the test suite's: every decoder, random and mutated real frames.

Checks, for every frame: each decoder either returns a record that renders (``to_dict``)
and encodes back (``bytes``), or raises FrameError, never anything else; the assembler, fed the
same stream with random resets, never raises. Prints how many frames it tried. Seeded:
the same run every time for a given ``--seed``.

Run: ``make fuzz`` (or ``python -m bench.fuzz_codecs --seconds 60``).
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter

from bench.frame_mix import real_frames, workout_frames
from treadmill.errors import FrameError
from treadmill.ftms import RecordAssembler
from treadmill.ftms.registry import DECODERS


def mutate(rng: random.Random, frame: bytes) -> bytes:
    """Flip bits, cut, append, or rewrite the flags of a real frame."""
    data = bytearray(frame)
    for _ in range(rng.randint(1, 4)):
        action = rng.randrange(4)
        if action == 0 and data:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif action == 1:
            del data[rng.randint(0, len(data)) :]
        elif action == 2:
            data += rng.randbytes(rng.randint(1, 8))
        elif len(data) >= 2:
            data[0], data[1] = rng.randrange(256), rng.randrange(256)
    return bytes(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    seeds = real_frames() + workout_frames()
    decoders = list(DECODERS.items())
    assembler = RecordAssembler()
    outcomes: Counter[str] = Counter()
    frames = 0
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        for _ in range(1000):
            frame = (
                rng.randbytes(rng.randint(0, 40)) if rng.random() < 0.3 else mutate(rng, rng.choice(seeds))
            )
            frames += 1
            for char, decode in decoders:
                try:
                    record = decode(frame)
                except FrameError:
                    outcomes["frame_error"] += 1
                    continue
                record.to_dict()
                bytes(record)  # whatever decodes, encodes back (cut fields left out)
                outcomes[f"decoded_{char}"] += 1
            assembler.feed(frame)
            if rng.random() < 0.01:
                assembler.reset()

    decodes = frames * len(decoders)
    print(f"fuzz: {frames:,} frames x {len(decoders)} decoders = {decodes:,} decodes in {args.seconds:.0f} s")
    print(f"  raised FrameError (the only allowed error): {outcomes['frame_error']:,}")
    print(f"  decoded and rendered: {sum(v for k, v in outcomes.items() if k.startswith('decoded_')):,}")
    stats = assembler.stats
    print(f"  assembler: {stats.records:,} records, {stats.bad_frames:,} bad frames,", end=" ")
    print(f"{stats.dropped_parts:,} parts dropped, no exception")


if __name__ == "__main__":
    main()
