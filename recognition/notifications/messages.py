"""What each notification says: subjects and opening lines, per message kind and transition.

Texts are lazy msgids rendered in the recipient's language. No message a city receives
names a reviewer: transition messages never name the actor.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: (workflow, transition) -> (subject, opening line). Placeholders: %(title)s (the object).
TRANSITIONS = {
    ("city", "verify"): (
        _l("Your city is verified"),
        _l("The secretariat verified %(title)s. The city can now submit nominations."),
    ),
    ("city", "reject"): (
        _l("Your city registration was not accepted"),
        _l("The secretariat did not accept the registration of %(title)s."),
    ),
    ("city", "suspend"): (_l("Your city is suspended"), _l("The secretariat suspended %(title)s.")),
    ("city", "reinstate"): (
        _l("Your city is verified again"),
        _l("The secretariat reinstated %(title)s."),
    ),
    ("nomination", "submit"): (
        _l("Nomination submitted"),
        _l("The nomination %(title)s was submitted."),
    ),
    ("nomination", "resubmit"): (
        _l("Nomination resubmitted"),
        _l("The nomination %(title)s was submitted again after revision."),
    ),
    ("nomination", "return"): (
        _l("Your nomination was returned for revision"),
        _l("The secretariat asks for changes to the nomination %(title)s."),
    ),
    ("nomination", "declare_ineligible"): (
        _l("Your nomination is ineligible"),
        _l("The secretariat found the nomination %(title)s ineligible."),
    ),
    ("nomination", "recognise"): (
        _l("Your nomination is recognised"),
        _l(
            "Congratulations: the nomination %(title)s is recognised. "
            "It becomes public when the call is announced."
        ),
    ),
    ("nomination", "not_recognise"): (
        _l("Decision on your nomination"),
        _l("The nomination %(title)s is not recognised this time."),
    ),
    ("nomination", "announce"): (
        _l("Your recognition is announced"),
        _l("The recognition of %(title)s is now public."),
    ),
    ("nomination", "withdraw"): (
        _l("Nomination withdrawn"),
        _l("The nomination %(title)s was withdrawn by the city."),
    ),
    ("review", "decline"): (
        _l("A reviewer declined an assignment"),
        _l("A reviewer declined to review %(title)s."),
    ),
    ("review", "declare_conflict"): (
        _l("A reviewer declared a conflict of interest"),
        _l("A reviewer declared a conflict of interest for %(title)s."),
    ),
    ("review", "withdraw"): (
        _l("An assignment was withdrawn"),
        _l("The secretariat withdrew your assignment to review %(title)s."),
    ),
}
GENERIC = (_l("Update: %(title)s"), _l("%(title)s changed state."))
