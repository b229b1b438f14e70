import socket
import unittest

import support  # noqa: F401

import jinn
from jinn._channel import Channel


class PublicModuleTests(unittest.TestCase):
    def tearDown(self):
        jinn._connection = None
        jinn.values.clear()

    def test_without_a_channel_send_and_receive_explain_themselves(self):
        self.assertFalse(jinn.is_connected())
        with self.assertRaises(RuntimeError) as caught:
            jinn.send(1)
        self.assertIn("not started by Jinn", str(caught.exception))

    def test_values_become_attributes_and_reserved_names_are_refused(self):
        ours, theirs = socket.socketpair()
        try:
            with self.assertRaises(ValueError):
                jinn._connect(Channel(ours.fileno()), {"send": 1})
            jinn._connect(Channel(ours.fileno()), {"threshold": 0.5})
            self.assertEqual(jinn.threshold, 0.5)
            self.assertEqual(jinn.values, {"threshold": 0.5})
            with self.assertRaises(TypeError):
                jinn.send(object())
            with self.assertRaises(TimeoutError):
                jinn.receive(timeout=0.01)
        finally:
            del jinn.threshold
            ours.close()
            theirs.close()


if __name__ == "__main__":
    unittest.main()
