"""Search attributes Regie sets on its workflows; never personal data."""

from temporalio.common import SearchAttributeKey

STAGE = SearchAttributeKey.for_keyword("RegieStage")
ROUND = SearchAttributeKey.for_keyword("RegieRound")
ORGANISATION_TYPE = SearchAttributeKey.for_keyword("RegieOrganisationType")

ALL = (STAGE, ROUND, ORGANISATION_TYPE)
