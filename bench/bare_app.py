"""The baseline for the API benchmark: a one-route Flask app (run under gunicorn like ours)."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/job-info/<job_id>")
def job_info(job_id: str):
    """A fixed JSON body: the cost of Flask + gunicorn alone."""
    return {"jobId": job_id, "jobName": "bare", "jobStatus": "FINISHED"}
