"""A zygote's account of the pages its runs write (``jinn._pages``): which runs learn them, what they taught, and
which spares write it ahead.

A few runs learn (:meth:`PageLessons.spare_learns`): a zygote's first three, then one in ``RELEARN_EVERY``.
Learning costs about a millisecond of processor time as a run ends, after its status and at ``SCHED_IDLE``, so
that the next run (a script run twice in a row) does not wait for it. A learning run reports in two pieces: its
status and imports ended by a newline, then, once its client has the status, its pages
(:meth:`PageLessons.receive`). The zygote takes what was taught
(:meth:`PageLessons.take`) only when it is quiet or as it forks a spare, since a run may be starting when a report
comes. The spares that do not write the latest lesson (forked before it, or in a hurry, see ``writes_ahead``) are
renewed, one per quiet moment (:meth:`PageLessons.stale_spare`).
"""

from jinn import _pages

LEARNING_RUNS = range(0, 3)
RELEARN_EVERY = 64


class PageLessons:
    def __init__(self):
        self.write = _pages.writer()  # None: nothing is learned or written ahead here
        self.pages = []  # the ranges each run-to-be writes ahead
        self.writes_ahead = True  # whether the spare being forked writes them ahead (read in the spare)
        self._mappings = None  # the zygote's private writable mappings, read at the first lesson
        self._untaken = []  # complete page reports, not yet taken
        self._reports = {}  # the pid of a learning run -> its page report so far (None before its status)
        self._learners = set()  # the pids of the spares whose runs will learn
        self._unwritten = set()  # the pids of the spares that do not write the latest lesson
        self._forked = 0
        self._inherited = False  # whether the next spare replaces one whose run was to learn

    def spare_learns(self):
        """Whether the run of the spare about to be forked learns (spares are handed out in the order they were
        forked, so the count of spares is that of runs)."""
        if self.write is None:
            return False
        if self._inherited:
            self._inherited = False
            return True
        number = self._forked
        self._forked += 1
        return number in LEARNING_RUNS or number % RELEARN_EVERY == RELEARN_EVERY - 1

    def forked(self, pid, learns):
        """Notes the spare ``pid`` just forked (after :meth:`spare_learns`, with ``writes_ahead`` as it was)."""
        if learns:
            self._learners.add(pid)
        if not self.writes_ahead and self.pages:
            self._unwritten.add(pid)

    def handed_out(self, pid):
        """The spare ``pid`` became a run; returns whether the run learns (its report will come in two pieces)."""
        self._unwritten.discard(pid)
        learns = pid in self._learners
        self._learners.discard(pid)
        if learns:
            self._reports[pid] = None
        return learns

    def gone(self, pid):
        """Forgets the spare or run ``pid``, which went away."""
        self._learners.discard(pid)
        self._unwritten.discard(pid)
        self._reports.pop(pid, None)

    def status_reported(self, pid, newline):
        """The run ``pid`` reported its status; its pages follow when it ended that report with a newline."""
        if pid in self._reports:
            if newline:
                self._reports[pid] = b""
            else:
                del self._reports[pid]

    def receive(self, pid, data, ended):
        """Adds ``data`` from the run ``pid``'s report socket to its page report (``ended``: the socket's end);
        returns False while more is to come."""
        so_far = self._reports.get(pid)
        if so_far is None or ended:
            self._reports.pop(pid, None)
            return True
        so_far += data
        learned = _pages.decode(so_far)
        if learned is None:
            self._reports[pid] = so_far
            return False
        del self._reports[pid]
        self._untaken.append(learned)
        return True

    @property
    def untaken(self):
        """Whether page reports wait to be taken."""
        return bool(self._untaken)

    @property
    def pending(self):
        """Whether the zygote has work for its next quiet moment: reports to take, or spares to renew."""
        return bool(self._untaken or self._unwritten)

    def take(self, spares):
        """Adds the reported pages to what runs-to-be write ahead; the ``spares`` (``(pid, socket)``) forked before
        then do not write the new lesson."""
        if not self._untaken:
            return
        if self._mappings is None:  # read once: the zygote's mappings hardly change once it serves
            self._mappings = _pages.own_mappings()
        known = self.pages
        for learned in self._untaken:
            self.pages = _pages.shareable(learned, self.pages, self._mappings)
        self._untaken = []
        if self.pages != known:
            self._unwritten = {pid for pid, _ in spares}

    def stale_spare(self, spares):
        """The oldest of ``spares`` (``(pid, socket)``, oldest first) that does not write the latest lesson, now
        forgotten, or None; a learner's successor learns in its place."""
        for spare in spares:
            if spare[0] in self._unwritten:
                self._inherited = spare[0] in self._learners
                self.gone(spare[0])
                return spare
        self._unwritten = set()
        return None
