"""The numpy core: samples in, directions, intervals and metrics out.

Pure numpy: no I/O, no clock (time arrives with the data), deterministic. Feeding samples
one by one gives what one batch call gives.
"""
