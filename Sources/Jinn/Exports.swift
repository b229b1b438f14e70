// The value types of Jinn's API that are defined in the wire layer, so that `import Jinn` is all a user needs.
@_exported import struct JinnWire.BigInteger
@_exported import enum JinnWire.PythonValue
