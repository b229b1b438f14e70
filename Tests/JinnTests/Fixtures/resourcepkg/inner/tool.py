from .. import ORIGIN


def describe():
    return "tool from " + ORIGIN
