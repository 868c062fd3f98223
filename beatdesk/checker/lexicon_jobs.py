"""A lexicon file imported by the worker: a 50,000-term file takes longer than a page may.

The page stores the upload as a job and the worker parses every line, replaces the level's
terms in one transaction and records the import, as the inline import did; problems come
back on the job's page, line by line, in the uploader's language.
"""

import logging

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from beatdesk.checker.access import LEXICON_EDIT_ROLES, lexicon_unit_for
from beatdesk.checker.actions import LexiconError, do_import_lexicon
from beatdesk.checker.core import LexiconFormatError, LineProblem
from beatdesk.core.jobs import JobInput, JobKind, JobOutcome, Progress, refused, register
from beatdesk.core.models import Job
from beatdesk.units.access import units_for
from beatdesk.units.models import User

logger = logging.getLogger(__name__)

LEXICON_IMPORT = "lexicon_import"
CHECKING = gettext_noop("Reading and checking every line")
SAVING = gettext_noop("Saving the terms")
NO_LONGER_ALLOWED = gettext_noop(
    "Nothing was imported: you may no longer edit this level's wording rules."
)


def may_import_lexicon(user: User) -> bool:
    return units_for(user, LEXICON_EDIT_ROLES).exists()


def run_lexicon_import(job: Job, job_input: JobInput, progress: Progress) -> JobOutcome:
    """Import the uploaded file into the level named by the job, as its uploader."""
    name, data = job_input
    user = User.objects.get(pk=job.started_by_id)
    # Rights are read again now: a role taken away after the upload no longer imports.
    try:
        unit = lexicon_unit_for(user, str(job.params.get("unit", "")))
    except Http404:
        return JobOutcome(error=NO_LONGER_ALLOWED)

    progress(0, 0, CHECKING)
    try:
        lexicon = do_import_lexicon(
            user, unit, data, name, on_parsed=lambda count: progress(0, count, SAVING)
        )
    except LexiconFormatError as error:
        return refused([problem_line(problem) for problem in error.problems])
    except LexiconError as error:
        return JobOutcome(error=str(error))

    terms = lexicon.terms.filter(allowed=False).count()
    counts = [[gettext_noop("Terms imported"), terms], [gettext_noop("Version"), lexicon.version]]
    return JobOutcome(result={"counts": counts})


def problem_line(problem: LineProblem) -> str:
    """Say what is wrong with a line in the language the job runs in."""
    # The core's messages are English ids; they are translated here, for the reader.
    text = _(problem.message)
    if problem.params:
        text %= problem.params
    return _("Line %(line)s: %(problem)s") % {"line": problem.line, "problem": text}


register(
    JobKind(
        kind=LEXICON_IMPORT,
        label=gettext_lazy("Lexicon import"),
        start_label=gettext_lazy("Import a lexicon file"),
        runner=run_lexicon_import,
        start_url="checker:lexicon_list",
        may_start=may_import_lexicon,
    )
)
