# syntax=docker/dockerfile:1
# Bulletin in a container: built with the Go toolchain go.mod names, run
# from a static, shell-less image as a non-root user. Templates and
# migrations are embedded in the binary. cmd/bulletin/dockerfile_test.go
# keeps the build stage in step with the module.

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/bulletin ./cmd/bulletin

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/bulletin /usr/local/bin/bulletin
USER nonroot:nonroot
ENV BULLETIN_ADDR=0.0.0.0:8080
EXPOSE 8080
# distroless has no shell or curl: the binary checks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/usr/local/bin/bulletin", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/bulletin"]
CMD ["serve"]
