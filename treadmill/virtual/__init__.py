"""The built-in virtual treadmill: a runner model, a treadmill machine, and their Bumble peripherals.

:mod:`treadmill.virtual.runner`, :mod:`~treadmill.virtual.machine` and
:mod:`~treadmill.virtual.world` are pure and deterministic (no Bumble, no clock);
:mod:`~treadmill.virtual.peripheral` puts a world on the air as FTMS, heart-rate and RSC
GATT servers.
"""
