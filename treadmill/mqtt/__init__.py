"""Live state and events over MQTT (aiomqtt): the publisher, its settings, and what it sends.

``treadmill.mqtt.settings`` and ``treadmill.mqtt.messages`` do no I/O; the publisher
(``treadmill.mqtt.publisher``) and the dashboard's watcher (``treadmill.mqtt.watcher``) are
the only modules that import aiomqtt.
"""
