"""Sans-IO codecs for FTMS treadmills, heart-rate straps and footpods.

Bytes in, frozen dataclasses out, and back (``bytes(record)``): no asyncio, no bleak, no
logging. Every codec tolerates what real devices send (see ``docs/ftms-codecs.md``) and
raises nothing but :class:`~treadmill.errors.FrameError` for a payload it cannot read.
"""

from treadmill.ftms.advertisement import FtmsAdvertisement, MachineType
from treadmill.ftms.assembler import RecordAssembler, merge_parts, split_at, split_record
from treadmill.ftms.control_point import ControlOpCode, ControlPointRequest, ControlPointResponse, ResultCode
from treadmill.ftms.feature import Features, MachineFeature, TargetSettingFeature
from treadmill.ftms.fields import Diagnostics
from treadmill.ftms.heart_rate import HeartRateMeasurement, SensorContact
from treadmill.ftms.machine_status import MachineStatus, StatusOpCode
from treadmill.ftms.parameters import ControlInformation
from treadmill.ftms.ranges import InclinationRange, SpeedRange
from treadmill.ftms.registry import decode
from treadmill.ftms.rsc import RSCMeasurement
from treadmill.ftms.training_status import TrainingStatus, TrainingStatusCode
from treadmill.ftms.treadmill_data import PaceFormat, TreadmillData

__all__ = [
    "ControlInformation",
    "ControlOpCode",
    "ControlPointRequest",
    "ControlPointResponse",
    "Diagnostics",
    "Features",
    "FtmsAdvertisement",
    "HeartRateMeasurement",
    "InclinationRange",
    "MachineFeature",
    "MachineStatus",
    "MachineType",
    "PaceFormat",
    "RSCMeasurement",
    "RecordAssembler",
    "ResultCode",
    "SensorContact",
    "SpeedRange",
    "StatusOpCode",
    "TargetSettingFeature",
    "TrainingStatus",
    "TrainingStatusCode",
    "TreadmillData",
    "decode",
    "merge_parts",
    "split_at",
    "split_record",
]
