# jobmatch service image, CPU only. Two stages: `export` installs the training extra (peft, to merge the
# LoRA adapters) and exports the model to ONNX, checked against torch on texts the repository ships and
# int8 or fp32 as models/jobmatch-esco/release.json records; `service` installs without the extra and
# serves that export with ONNX Runtime.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    JOBMATCH_DATA_DIR=/data

# Point this at a CPU-only wheel index to keep the image small; by default pip takes torch from PyPI.
ARG TORCH_INDEX_URL=""
WORKDIR /srv

# torch first and pinned, then the project: keeps this layer cached across code changes
RUN if [ -n "$TORCH_INDEX_URL" ]; then pip install torch==2.13.0 --index-url "$TORCH_INDEX_URL"; \
    else pip install torch==2.13.0; fi
COPY pyproject.toml README.md ./
COPY app ./app
COPY models ./models
COPY examples ./examples

FROM base AS export
RUN pip install -e ".[train]" && jobmatch-export-onnx

FROM base AS service
# editable: the package finds models/ beside app/ in /srv
RUN pip install -e . && useradd --create-home --uid 1000 jobmatch && mkdir -p /data && chown jobmatch /data
COPY --from=export /srv/models/jobmatch-esco/onnx ./models/jobmatch-esco/onnx

USER jobmatch
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=5 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/ready').status != 200)"
CMD ["uvicorn", "--factory", "app.main:create_app_from_env", "--host", "0.0.0.0", "--port", "8000"]
