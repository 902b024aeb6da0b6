# svgrender on Debian bookworm: Python, Cairo, Pango and the fonts all from Debian's packages, the
# service in a virtual environment (Debian's Python refuses system-wide pip installs, PEP 668).
# Built and run in CI with podman (tests/test_container.py); any Docker/OCI builder builds it too.
FROM debian:bookworm-slim

# Cairo + Pango for drawing, fontconfig and the fonts designers' exports name (the same list as .ci/run).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      python3 python3-venv ca-certificates \
      libcairo2 libpango-1.0-0 libpangocairo-1.0-0 libpangoft2-1.0-0 fontconfig \
      fonts-inter fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji fonts-liberation2 fonts-roboto fonts-open-sans fonts-lato fonts-cabin fonts-font-awesome fonts-urw-base35 fonts-linuxlibertine fonts-ebgaramond fonts-adf-gillius fonts-crosextra-carlito fonts-crosextra-caladea fonts-roboto-slab fonts-bebas-neue fonts-dancingscript fonts-kaushanscript fonts-comfortaa fonts-quicksand fonts-karla fonts-manrope fonts-league-spartan fonts-vollkorn fonts-jetbrains-mono fonts-inconsolata fonts-firacode fonts-oxygen fonts-dosis fonts-courier-prime fonts-comic-neue fonts-sora \
 && rm -rf /var/lib/apt/lists/*

# Only where a build goes through a TLS-intercepting proxy: the proxy's CA bundle, mounted at build
# time (never copied into the image). Empty everywhere else.
ARG PIP_CERT=""
ENV VIRTUAL_ENV=/opt/svgrender
RUN python3 -m venv "$VIRTUAL_ENV"
ENV PATH="$VIRTUAL_ENV/bin:$PATH"

WORKDIR /app
COPY pyproject.toml README.md ./
COPY svgrender ./svgrender
# pangocffi writes its generated bindings beside itself on first import: import once here, as root,
# because the service's user cannot write into the environment (found by tests/test_container.py).
RUN PIP_CERT="$PIP_CERT" pip install --no-cache-dir --disable-pip-version-check '.[mcp,crops,charts]' \
 && rm -rf /app/svgrender /app/build \
 && python -c "import pangocffi, pangocairocffi, cairocffi, svgrender.draw.text"
COPY templates ./templates
COPY fonts ./fonts

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin svgrender \
 && mkdir -p /data/images && chown -R svgrender /data
USER svgrender

ENV SVGRENDER_TEMPLATES_DIR=/app/templates \
    SVGRENDER_STORAGE_DIR=/data/images \
    SVGRENDER_FONTS_DIR=/app/fonts
EXPOSE 9333
# Binding 0.0.0.0 needs SVGRENDER_API_KEYS (docker run -e SVGRENDER_API_KEYS=...).
CMD ["svgrender", "serve", "--host", "0.0.0.0", "--port", "9333"]
