"""Where file contents live: one small interface (`BlobStore`: put, get, delete, exists and
size by key) with a folder on disk by default and an S3-compatible bucket in production
(AWS S3, MinIO, Ceph, Scaleway...), chosen by the `storage` setting. Keys are the contents' SHA-256,
so a file stored twice is kept once, and every web and job worker sees the same files."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any, Mapping, Protocol

__all__ = ["BlobStore", "FilesystemStore", "S3Store", "blob_store", "BlobMissing"]


class BlobMissing(LookupError):
    """No content is stored under this key."""


class BlobStore(Protocol):
    """Contents by key (a SHA-256 in hex)."""

    def put(self, key: str, data: bytes) -> None:
        """Keep `data` under `key` (writing the same key twice keeps one copy)."""

    def get(self, key: str) -> bytes:
        """The contents under `key`; BlobMissing when there are none."""

    def delete(self, key: str) -> None:
        """Forget `key` (nothing happens when it is not there)."""

    def exists(self, key: str) -> bool:
        """Whether contents are stored under `key`."""

    def size(self, key: str) -> int | None:
        """The size in bytes of the contents under `key`, None when there are none."""


def _checked(key: str) -> str:
    if len(key) != 64 or any(char not in "0123456789abcdef" for char in key):
        raise ValueError(f"{key!r} is not a SHA-256 in lower-case hex")
    return key


class FilesystemStore:
    """A folder: `<root>/<first two hex digits>/<key>`, each file written whole (a temporary
    file renamed into place), so a reader never sees half a file."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        key = _checked(key)
        return self.root / key[:2] / key

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise BlobMissing(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def size(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None


class S3Store:
    """A bucket of an S3-compatible service, through boto3; objects under `prefix`."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
                 access_key_id: str | None = None, secret_access_key: str | None = None, prefix: str = "") -> None:
        import boto3

        self.bucket, self.prefix = bucket, prefix
        self.client: Any = boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None,
                                        aws_access_key_id=access_key_id or None,
                                        aws_secret_access_key=secret_access_key or None)

    def _key(self, key: str) -> str:
        return f"{self.prefix}{_checked(key)}"

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except self.client.exceptions.NoSuchKey:
            raise BlobMissing(key) from None

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def exists(self, key: str) -> bool:
        return self.size(key) is not None

    def size(self, key: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=self._key(key))["ContentLength"])
        except ClientError:
            return None


#: A namespace: a lower-case word (letters, digits, underscores).
_NAMESPACE = re.compile(r"[a-z][a-z0-9_]{0,62}")


def blob_store(settings: Mapping[str, Any], namespace: str = "") -> BlobStore:
    """The store the settings choose: `storage = "filesystem"` (under `storage_path`, by
    default `<instance_path>/files`) or `"s3"` (the `s3_*` settings).

    The kernel's attachments use the store itself; a `namespace` (a folder, or a key prefix
    in the bucket) keeps another owner's contents apart, because each owner forgets its own
    contents when no record of its own names them any more: the same file kept by the
    kernel and by an addon must not go when only one of them removes it."""
    if namespace and not _NAMESPACE.fullmatch(namespace):
        raise ValueError(f"{namespace!r} is not a namespace: use lower-case letters, digits and underscores")
    kind = str(settings.get("storage") or "filesystem")
    if kind == "filesystem":
        root = settings.get("storage_path") or os.path.join(str(settings.get("instance_path") or "instance"), "files")
        return FilesystemStore(os.path.join(root, namespace) if namespace else root)
    if kind == "s3":
        if not settings.get("s3_bucket"):
            raise ValueError("storage = \"s3\" needs s3_bucket (and s3_endpoint_url for a service other than AWS)")
        prefix = str(settings.get("s3_prefix") or "") + (f"{namespace}/" if namespace else "")
        return S3Store(str(settings["s3_bucket"]), endpoint_url=settings.get("s3_endpoint_url"),
                       region=settings.get("s3_region"), access_key_id=settings.get("s3_access_key_id"),
                       secret_access_key=settings.get("s3_secret_access_key"), prefix=prefix)
    raise ValueError(f"storage = {kind!r}: use \"filesystem\" or \"s3\"")
