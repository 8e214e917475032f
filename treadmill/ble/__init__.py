"""Bluetooth: the only package that imports bleak.

:mod:`~treadmill.ble.client` (the FTMS client, a live source), :mod:`~treadmill.ble.scan`
(finding devices), :mod:`~treadmill.ble.backend` (which bleak backend) and
:mod:`~treadmill.ble.virtual_link` (the bleak backend over Bumble's virtual radio).
"""
