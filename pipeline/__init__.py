"""The composition layer: commands that span packages (ingest then build, the demo, the demo's
summaries, serving the fake). It is the only product package that imports the fake Intercom."""
