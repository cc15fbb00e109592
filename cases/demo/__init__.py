"""Demo data (`manage.py seed_demo`) and scale data (`manage.py seed_scale`): the demo
association's register, and cases at every stage built through the same services a
user's actions go through, so the demo cannot drift from the workflow."""
