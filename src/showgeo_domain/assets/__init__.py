"""Assets: files people upload (images, audio, video, documents), their variants and who may
read them. Bytes live behind the `ObjectStorage` port; this context holds the rules."""
