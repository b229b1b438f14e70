"""A small program that `jinn exec Examples/hello` loads into memory and runs."""

import sys

import jinn
from greeting import compose
from greeting.style import shout

name = sys.argv[1] if len(sys.argv) > 1 else "world"
print(compose(name))
print(shout("no file of this program was read by Python from disk"))
print("modules held in memory:", __file__, compose.__module__, "->", sys.modules["greeting"].__file__)
if jinn.is_connected():
    jinn.send({"greeted": name})
