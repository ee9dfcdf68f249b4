"""Object store on any S3-compatible service (AWS S3, MinIO, Ceph, moto) through boto3."""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from interviewkit.config import Settings
from interviewkit.storage.port import (
    MAX_PART_NUMBER,
    InvalidUploadError,
    ObjectInfo,
    ObjectNotFoundError,
    ObjectStoreError,
    PartInfo,
    PortCheck,
    UploadNotFoundError,
    round_trip_check,
    validate_key,
)

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client


_INVALID_UPLOAD_CODES = frozenset(
    {"InvalidPart", "InvalidPartOrder", "EntityTooSmall", "MalformedXML", "InvalidArgument"}
)


class S3ObjectStore:
    name = "s3"

    def __init__(self, client: S3Client, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_settings(cls, settings: Settings) -> S3ObjectStore:
        try:
            import boto3
            from botocore.config import Config
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ObjectStoreError(
                "install the 's3' extra: pip install 'interviewkit[s3]'"
            ) from exc
        client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=settings.s3_secret_access_key,
            config=Config(
                s3={"addressing_style": "path"} if settings.s3_endpoint_url else {},
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
                max_pool_connections=32,
            ),
        )
        store = cls(client, settings.s3_bucket or "")
        if settings.s3_create_bucket:
            store.ensure_bucket()
        return store

    def ensure_bucket(self) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            try:
                self.client.head_bucket(Bucket=self.bucket)
            except ClientError:
                self.client.create_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as exc:
            raise ObjectStoreError(f"s3 bucket {self.bucket!r}: {exc}") from exc

    def _call(self, key: str, operation: str, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, operation)(Bucket=self.bucket, Key=key, **kwargs)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in {"NoSuchKey", "404", "NotFound"}:
                raise ObjectNotFoundError(key) from None
            if code == "NoSuchUpload":
                raise UploadNotFoundError(kwargs.get("UploadId", "")) from None
            if code in _INVALID_UPLOAD_CODES:
                raise InvalidUploadError(f"s3 {operation} {key!r}: {code}") from exc
            raise ObjectStoreError(f"s3 {operation} {key!r}: {code or exc}") from exc
        except BotoCoreError as exc:
            raise ObjectStoreError(f"s3 {operation} {key!r}: {exc}") from exc

    def put(self, key: str, data: bytes | BinaryIO, content_type: str | None = None) -> ObjectInfo:
        validate_key(key)
        extra = {"ContentType": content_type} if content_type else {}
        if isinstance(data, bytes | bytearray | memoryview):
            self._call(key, "put_object", Body=bytes(data), **extra)
        else:
            from botocore.exceptions import BotoCoreError, ClientError

            try:
                self.client.upload_fileobj(data, self.bucket, key, ExtraArgs=extra or None)
            except (BotoCoreError, ClientError) as exc:
                raise ObjectStoreError(f"s3 upload {key!r}: {exc}") from exc
        return self.head(key)

    def get(self, key: str) -> bytes:
        validate_key(key)
        body = self._call(key, "get_object")["Body"]
        with body:
            data: bytes = body.read()
        return data

    def iter_chunks(self, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        validate_key(key)
        body = self._call(key, "get_object")["Body"]
        with body:
            yield from body.iter_chunks(chunk_size)

    def head(self, key: str) -> ObjectInfo:
        validate_key(key)
        meta = self._call(key, "head_object")
        return ObjectInfo(key, int(meta["ContentLength"]), meta.get("LastModified"))

    def exists(self, key: str) -> bool:
        try:
            self.head(key)
        except ObjectNotFoundError:
            return False
        return True

    def delete(self, key: str) -> None:
        validate_key(key)
        self._call(key, "delete_object")

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                yield ObjectInfo(item["Key"], int(item["Size"]), item.get("LastModified"))

    def presign_get(self, key: str, expires_in: int) -> str:
        validate_key(key)
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=expires_in
        )

    def presign_put(self, key: str, expires_in: int, content_type: str | None = None) -> str:
        validate_key(key)
        params: dict[str, str] = {"Bucket": self.bucket, "Key": key}
        if content_type:
            params["ContentType"] = content_type
        return self.client.generate_presigned_url("put_object", Params=params, ExpiresIn=expires_in)

    # --- multipart uploads: S3's own, the client PUTs each part to a presigned URL ------

    def create_multipart(self, key: str, content_type: str | None = None) -> str:
        validate_key(key)
        extra = {"ContentType": content_type} if content_type else {}
        upload_id: str = self._call(key, "create_multipart_upload", **extra)["UploadId"]
        return upload_id

    def presign_part(self, key: str, upload_id: str, number: int, expires_in: int) -> str:
        validate_key(key)
        if not 1 <= number <= MAX_PART_NUMBER:
            raise InvalidUploadError(f"part numbers run 1-{MAX_PART_NUMBER}, not {number}")
        params = {"Bucket": self.bucket, "Key": key, "UploadId": upload_id, "PartNumber": number}
        return self.client.generate_presigned_url(
            "upload_part", Params=params, ExpiresIn=expires_in
        )

    def list_parts(self, key: str, upload_id: str) -> builtins.list[PartInfo]:
        """Every part so far; S3 answers 1000 per page, so follow the part-number marker."""
        validate_key(key)
        parts: builtins.list[PartInfo] = []
        marker = 0
        while True:
            page = self._call(key, "list_parts", UploadId=upload_id, PartNumberMarker=marker)
            parts += [
                PartInfo(int(item["PartNumber"]), int(item["Size"]), str(item["ETag"]))
                for item in page.get("Parts", [])
            ]
            if not page.get("IsTruncated"):
                return parts
            marker = int(page["NextPartNumberMarker"])

    def complete_multipart(
        self, key: str, upload_id: str, parts: builtins.list[PartInfo]
    ) -> ObjectInfo:
        validate_key(key)
        if not parts:
            raise InvalidUploadError("an upload needs at least one part")
        layout = {"Parts": [{"PartNumber": part.number, "ETag": part.etag} for part in parts]}
        self._call(key, "complete_multipart_upload", UploadId=upload_id, MultipartUpload=layout)
        return self.head(key)

    def abort_multipart(self, key: str, upload_id: str) -> None:
        validate_key(key)
        try:
            self._call(key, "abort_multipart_upload", UploadId=upload_id)
        except UploadNotFoundError:
            return

    def check(self) -> PortCheck:
        where = f"s3://{self.bucket} at {self.client.meta.endpoint_url}"
        fix = "check INTERVIEWKIT_S3_* settings and that the bucket exists"
        return round_trip_check(self, where, fix)
