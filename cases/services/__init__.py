"""Services that change cases, in layers: each module imports only those below it
(import-linter checks it; pyproject.toml, [tool.importlinter]).

    deadlines     the deadline job
    transitions   case_transition: the one service for every workflow step
    intake        complaint, amendment, evidence, late filing, case officer
    consent       consent offers: made, refused, lapsed; an acceptance's effects
    interim       interim suspension: proposed, voted, imposed, lifted, ended
    review        amended notice, response, response window, findings, report
    links         linking related cases
    publication   publishing final decisions, taking them down, withholding them
    retention     removing a closed case's personal data; legal holds
    hearings      the comment on the review; the hearing: request, set, postpone,
                  who comes, its record
    links         linking related cases, consolidating them for one ballot
    complainants  the complainant's messages, further evidence and appeal
    ballots       opening, voting, conflicts, extending, closing, appeals
    compliance    fines, education, conditions: proof, compliance, default
    sanctions     imposing, applying, lifting
    letters       issuing, delivering, correcting
    complainant_access  the complainant's access code: issued, checked, revoked
    grants        every object permission, given or taken
    evidence      storing an uploaded file as evidence
    record        the case row lock and the hash-chained case record
    checkpoints   signed checkpoints of the record's head (the record key)

Each service runs in one transaction with the case row locked, asks cases.access
whether the user may act (the table's wording if not), and writes the case record.
Views and other apps use the names below; modules inside the package import each
other directly, never through this one.
"""

from cases.services.ballots import (
    appeal_ballot_close,
    ballot_extend,
    conflict_declare,
    vote_cast,
)
from cases.services.checkpoints import latest_checkpoint, sign_checkpoint
from cases.services.complainant_access import (
    access_code_check,
    access_code_reissue,
    access_code_revoke,
)
from cases.services.complainants import (
    Acceptance,
    complainant_appeal_ballot_close,
    complainant_evidence_accept,
    complainant_evidence_decline,
    complainant_evidence_submit,
    complainant_message_send,
    staff_message_send,
)
from cases.services.compliance import (
    compliance_proof_accept,
    compliance_proof_upload,
    compliance_record,
)
from cases.services.consent import consent_lapse, consent_offer, consent_refuse
from cases.services.dossier import dossier_export
from cases.services.evidence import EvidenceInput
from cases.services.grants import (
    REPRESENTATIVE_REMOVED,
    grant,
    representative_access_revoke,
    representative_access_sync,
    revoke,
)
from cases.services.hearings import (
    HearingInput,
    ParticipantInput,
    hearing_participants_name,
    hearing_participants_record,
    hearing_postpone,
    hearing_record,
    hearing_request,
    hearing_schedule,
    review_comment_submit,
    review_disclose,
)
from cases.services.intake import (
    AllegationInput,
    ComplainantInput,
    case_officer_assign,
    complaint_amend,
    complaint_file,
    evidence_add,
    evidence_set_disclosure,
    late_filing_accept,
)
from cases.services.interim import (
    interim_ballot_close,
    interim_lifting_request,
    interim_propose,
    interim_vote_cast,
)
from cases.services.letters import correct as letter_correct
from cases.services.letters import deliver as letter_deliver
from cases.services.letters import redeliver as letter_redeliver
from cases.services.links import case_consolidate, case_link
from cases.services.publication import publication_withhold
from cases.services.record import GENESIS_HASH, lock_case, record_event, verify_case_record
from cases.services.retention import legal_hold_place, legal_hold_release
from cases.services.review import (
    amended_notice_issue,
    finding_record,
    response_submit,
    response_window_reopen,
    review_report_save,
)
from cases.services.transitions import case_transition
from cases.workflow import CaseMovedOn, TransitionRefused

__all__ = [
    "Acceptance",
    "access_code_check",
    "access_code_reissue",
    "access_code_revoke",
    "complainant_appeal_ballot_close",
    "complainant_evidence_accept",
    "complainant_evidence_decline",
    "complainant_evidence_submit",
    "complainant_message_send",
    "staff_message_send",
    "GENESIS_HASH",
    "REPRESENTATIVE_REMOVED",
    "AllegationInput",
    "CaseMovedOn",
    "ComplainantInput",
    "EvidenceInput",
    "HearingInput",
    "ParticipantInput",
    "TransitionRefused",
    "amended_notice_issue",
    "appeal_ballot_close",
    "ballot_extend",
    "case_consolidate",
    "case_link",
    "case_officer_assign",
    "case_transition",
    "complaint_amend",
    "compliance_proof_accept",
    "compliance_proof_upload",
    "compliance_record",
    "complaint_file",
    "conflict_declare",
    "consent_lapse",
    "consent_offer",
    "consent_refuse",
    "dossier_export",
    "evidence_add",
    "evidence_set_disclosure",
    "finding_record",
    "grant",
    "hearing_participants_name",
    "hearing_participants_record",
    "hearing_postpone",
    "hearing_record",
    "hearing_request",
    "hearing_schedule",
    "interim_ballot_close",
    "interim_lifting_request",
    "interim_propose",
    "interim_vote_cast",
    "late_filing_accept",
    "legal_hold_place",
    "legal_hold_release",
    "latest_checkpoint",
    "letter_correct",
    "letter_deliver",
    "letter_redeliver",
    "lock_case",
    "publication_withhold",
    "record_event",
    "representative_access_revoke",
    "representative_access_sync",
    "response_submit",
    "response_window_reopen",
    "review_comment_submit",
    "review_disclose",
    "review_report_save",
    "revoke",
    "sign_checkpoint",
    "verify_case_record",
    "vote_cast",
]
