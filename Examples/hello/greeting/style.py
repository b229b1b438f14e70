def capitalize(word):
    return word[:1].upper() + word[1:]


def shout(text):
    return text.upper() + "!"
