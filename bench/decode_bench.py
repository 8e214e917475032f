"""Decode speed: our per-frame decoder against the PyPI peer ``deancochran-ftms``, and our batch.

Both decoders run in this one process, on the same realistic frame mix (bench/frame_mix.py),
each turning a 0x2ACD payload into values in physical units. Figures are the best of
several repeats (the least disturbed by the rest of the machine).

Targets (issue 2, on this 2-core machine): per-frame at least 4x faster than the peer;
batch at least 1,000,000 frames/s.

Run: ``make bench`` (or ``python -m bench.decode_bench``).
"""

from __future__ import annotations

import argparse
import platform
import time
import timeit

from deancochran_ftms import decode_measurement  # the peer, from the 'bench' extra

from bench.batch_decode import decode_treadmill_batch
from bench.frame_mix import frame_mix
from treadmill.ftms import TreadmillData

PEER_UUID = "00002acd-0000-1000-8000-00805f9b34fb"


def per_frame_us(decode: object, frames: list[bytes], repeat: int) -> float:
    """Best-of-``repeat`` mean time to decode one frame of ``frames``, in microseconds."""
    loop = "for f in frames: decode(f)"
    best = min(timeit.repeat(loop, globals={"frames": frames, "decode": decode}, number=1, repeat=repeat))
    return best / len(frames) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100_000, help="frames per per-frame run")
    parser.add_argument("--batch", type=int, default=1_000_000, help="frames in the batch run")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    frames = frame_mix(args.frames)
    # Same answer first: both decoders must agree on the speed of every frame they can read.
    for frame in set(frames):
        ours = TreadmillData.from_bytes(frame).instantaneous_speed_kmh
        peer = decode_measurement(PEER_UUID, frame).measurement
        assert peer is not None
        peer_kmh = None if peer.metrics.speed_mps is None else peer.metrics.speed_mps * 3.6
        if ours is None or peer_kmh is None:
            assert ours is peer_kmh, frame.hex()
        else:
            assert abs(ours - peer_kmh) < 1e-9, frame.hex()

    ours_us = per_frame_us(TreadmillData.from_bytes, frames, args.repeat)
    peer_us = per_frame_us(lambda f: decode_measurement(PEER_UUID, f), frames, args.repeat)

    batch_frames = frame_mix(args.batch, seed=7)
    best = float("inf")
    for _ in range(args.repeat):
        start = time.perf_counter()
        decode_treadmill_batch(batch_frames)
        best = min(best, time.perf_counter() - start)

    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}")
    print(f"frame mix: {len(set(frames))} shapes, {args.frames:,} frames per run, best of {args.repeat}")
    print(f"{'decoder':34} {'us/frame':>9} {'frames/s':>12}")
    print(f"{'deancochran-ftms decode_measurement':34} {peer_us:9.2f} {1e6 / peer_us:12,.0f}")
    print(f"{'treadmill TreadmillData.from_bytes':34} {ours_us:9.2f} {1e6 / ours_us:12,.0f}")
    print(f"per-frame speed-up over the peer: {peer_us / ours_us:.1f}x (target >= 4x)")
    rate = args.batch / best
    print(f"batch: {args.batch:,} frames in {best * 1e3:.0f} ms = {rate:,.0f} frames/s (target >= 1,000,000)")


if __name__ == "__main__":
    main()
