from .style import capitalize


def compose(name):
    return "Hello, %s! Python %s speaking." % (capitalize(name), __import__("sys").version.split()[0])
