"""The sales-power scoring form (R16): one whole-number field per criterion of the policy."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SubmitField, TextAreaField
from wtforms.validators import NumberRange, Optional

from ...records.rulebook.policy import Policy
from ..validators import at_most

PREFIX = "score_"


class SalesPowerForm(FlaskForm):
    """Scores 0..scale per criterion (blank: not scored) and notes."""

    notes = TextAreaField(_l("Notes"), validators=[at_most(2000)])
    submit = SubmitField(_l("Save the scores"))

    @classmethod
    def for_policy(cls, policy: Policy, **kwargs: Any) -> SalesPowerForm:
        """Return a form with a field for each of the policy's criteria."""
        scale = policy.sales_power_scale
        fields = {
            PREFIX + str(c["key"]): IntegerField(
                str(c.get("name") or c["key"]),
                validators=[Optional(), NumberRange(
                    min=0, max=scale,
                    message=_l("Enter a score from %(min)s to %(max)s."))])
            for c in policy.sales_power_criteria
        }
        form_class = type("PolicySalesPowerForm", (cls,), fields)
        return form_class(**kwargs)

    def score_fields(self) -> list[Any]:
        """Return the score fields in the policy's order."""
        return [f for f in self if f.name.startswith(PREFIX)]

    def scores(self) -> dict[str, int | None]:
        """Return the scores entered, by criterion key (None: left blank)."""
        return {f.name[len(PREFIX):]: f.data for f in self.score_fields()}
