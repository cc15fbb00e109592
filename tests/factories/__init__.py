"""Test data for Probity, built through the real services. Import names explicitly from
the module that defines them:

- tests.factories.dates    today, days, shown
- tests.factories.people   UserFactory, staff_user, board_user, panel_user, board_members, ...
- tests.factories.members  OrganizationFactory, RepresentativeFactory, org_in_status, dues
- tests.factories.cases    the code and procedure, uploads, file_case, steps, case_snapshot
- tests.factories.scenes   complete_review, case_at_review, setup_board_case, sanctioned_case,
                           run_appeal, cast, case_with_exhibits
- tests.factories.letters  the letters world, the scenes that issue letters, PDF readers
- tests.factories.pages    text_of, section

Fixtures (staff, organization, case, world, ...) are in tests/conftest.py.
"""
