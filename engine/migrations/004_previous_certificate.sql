-- Certificate rotation with an overlap: after a rotation the previous
-- certificate still verifies tokens until prev_cert_expires (Unix ms), so
-- tokens minted just before the rotation keep working.
ALTER TABLE engine_apps ADD COLUMN prev_certificate TEXT NOT NULL DEFAULT '';
ALTER TABLE engine_apps ADD COLUMN prev_cert_expires INTEGER NOT NULL DEFAULT 0;
