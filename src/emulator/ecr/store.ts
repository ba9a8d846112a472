/**
 * ECR's tables: repositories (a JSON document each: settings, tags, policies), images (one row per manifest
 * digest, with what DescribeImages shows and the manifest itself, so BatchGetImage never needs the registry) and
 * tags (tag -> digest, the source of truth the registry front resolves tags with: tag mutability, untagging and
 * lifecycle expiry happen here). A settings table keeps the key that signs authorization tokens across restarts.
 */
import { randomBytes } from 'node:crypto';
import { migrateService, type EmulatorDatabase } from '../store/database.js';

export interface RepositoryRecord {
  name: string;
  arn: string;
  createdAt: number;
  imageTagMutability: 'MUTABLE' | 'IMMUTABLE';
  scanOnPush: boolean;
  encryptionType: 'AES256' | 'KMS' | 'KMS_DSSE';
  kmsKey?: string | undefined;
  tags: { Key: string; Value: string }[];
  lifecyclePolicy?: { text: string; updatedAt: number } | undefined;
  /** The last StartLifecyclePolicyPreview: the policy it evaluated and what it would expire. */
  lifecyclePreview?: { text: string; expiring: { digest: string; tags: readonly string[]; pushedAt: number; rulePriority: number }[] } | undefined;
  repositoryPolicy?: string | undefined;
}

export interface ImageRecord {
  repository: string;
  digest: string;
  mediaType: string;
  artifactMediaType?: string | undefined;
  /** Bytes of the config and layers the manifest names (ECR's imageSizeInBytes). */
  size: number;
  pushedAt: number;
  lastPulledAt?: number | undefined;
  manifest: string;
}

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE ecr_repositories (name TEXT PRIMARY KEY, created_at INTEGER NOT NULL, doc TEXT NOT NULL);
   CREATE TABLE ecr_images (repository TEXT NOT NULL, digest TEXT NOT NULL, pushed_at INTEGER NOT NULL, doc TEXT NOT NULL,
     PRIMARY KEY (repository, digest));
   CREATE TABLE ecr_tags (repository TEXT NOT NULL, tag TEXT NOT NULL, digest TEXT NOT NULL, PRIMARY KEY (repository, tag));
   CREATE INDEX ecr_tags_digest ON ecr_tags (repository, digest);
   CREATE TABLE ecr_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE ecr_forgotten (repository TEXT NOT NULL, digest TEXT NOT NULL, PRIMARY KEY (repository, digest));`,
];

export interface EcrStore {
  transaction<T>(fn: () => T): T;
  getRepository(name: string): RepositoryRecord | undefined;
  putRepository(rec: RepositoryRecord): void;
  /** With its images and tags. */
  deleteRepository(name: string): void;
  listRepositories(): RepositoryRecord[];

  getImage(repository: string, digest: string): ImageRecord | undefined;
  putImage(rec: ImageRecord): void;
  /** Removes the image and every tag pointing at it. */
  deleteImage(repository: string, digest: string): void;
  listImages(repository: string): ImageRecord[];

  tagDigest(repository: string, tag: string): string | undefined;
  setTag(repository: string, tag: string, digest: string): void;
  deleteTag(repository: string, tag: string): void;
  /** The tags of one image, sorted. */
  tagsOf(repository: string, digest: string): string[];
  /** Every tag of the repository, sorted. */
  listTags(repository: string): string[];

  /** The key that signs authorization tokens: made once, kept, so tokens outlive an emulator restart. */
  tokenKey(): Buffer;

  /** Manifests deleted from ECR that the registry still has to forget (written in the deleting transaction). */
  forget(repository: string, digest: string): void;
  forgotten(): { repository: string; digest: string }[];
  forgottenDone(repository: string, digest: string): void;
}

export function openEcrStore(database: EmulatorDatabase): EcrStore {
  const { db } = database;
  migrateService(db, 'ecr', MIGRATIONS);
  const q = {
    getRepo: db.prepare<[string], { doc: string }>('SELECT doc FROM ecr_repositories WHERE name = ?'),
    putRepo: db.prepare('INSERT INTO ecr_repositories (name, created_at, doc) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET doc = excluded.doc'),
    deleteRepo: db.prepare('DELETE FROM ecr_repositories WHERE name = ?'),
    deleteRepoImages: db.prepare('DELETE FROM ecr_images WHERE repository = ?'),
    deleteRepoTags: db.prepare('DELETE FROM ecr_tags WHERE repository = ?'),
    listRepos: db.prepare<[], { doc: string }>('SELECT doc FROM ecr_repositories ORDER BY name'),
    getImage: db.prepare<[string, string], { doc: string }>('SELECT doc FROM ecr_images WHERE repository = ? AND digest = ?'),
    putImage: db.prepare('INSERT INTO ecr_images (repository, digest, pushed_at, doc) VALUES (?, ?, ?, ?) ON CONFLICT (repository, digest) DO UPDATE SET doc = excluded.doc'),
    deleteImage: db.prepare('DELETE FROM ecr_images WHERE repository = ? AND digest = ?'),
    deleteImageTags: db.prepare('DELETE FROM ecr_tags WHERE repository = ? AND digest = ?'),
    listImages: db.prepare<[string], { doc: string }>('SELECT doc FROM ecr_images WHERE repository = ? ORDER BY pushed_at, digest'),
    tagDigest: db.prepare<[string, string], { digest: string }>('SELECT digest FROM ecr_tags WHERE repository = ? AND tag = ?'),
    setTag: db.prepare('INSERT INTO ecr_tags (repository, tag, digest) VALUES (?, ?, ?) ON CONFLICT (repository, tag) DO UPDATE SET digest = excluded.digest'),
    deleteTag: db.prepare('DELETE FROM ecr_tags WHERE repository = ? AND tag = ?'),
    tagsOf: db.prepare<[string, string], { tag: string }>('SELECT tag FROM ecr_tags WHERE repository = ? AND digest = ? ORDER BY tag'),
    listTags: db.prepare<[string], { tag: string }>('SELECT tag FROM ecr_tags WHERE repository = ? ORDER BY tag'),
    getSetting: db.prepare<[string], { value: string }>('SELECT value FROM ecr_settings WHERE key = ?'),
    putSetting: db.prepare('INSERT OR IGNORE INTO ecr_settings (key, value) VALUES (?, ?)'),
    forget: db.prepare('INSERT OR IGNORE INTO ecr_forgotten (repository, digest) VALUES (?, ?)'),
    forgotten: db.prepare<[], { repository: string; digest: string }>('SELECT repository, digest FROM ecr_forgotten ORDER BY rowid'),
    forgottenDone: db.prepare('DELETE FROM ecr_forgotten WHERE repository = ? AND digest = ?'),
  };
  const parse = <T>(row: { doc: string } | undefined): T | undefined => (row ? (JSON.parse(row.doc) as T) : undefined);
  return {
    transaction: (fn) => database.transaction(fn),
    getRepository: (name) => parse<RepositoryRecord>(q.getRepo.get(name)),
    putRepository: (rec) => void q.putRepo.run(rec.name, rec.createdAt, JSON.stringify(rec)),
    deleteRepository: (name) => {
      q.deleteRepoTags.run(name);
      q.deleteRepoImages.run(name);
      q.deleteRepo.run(name);
    },
    listRepositories: () => q.listRepos.all().map((r) => JSON.parse(r.doc) as RepositoryRecord),
    getImage: (repository, digest) => parse<ImageRecord>(q.getImage.get(repository, digest)),
    putImage: (rec) => void q.putImage.run(rec.repository, rec.digest, rec.pushedAt, JSON.stringify(rec)),
    deleteImage: (repository, digest) => {
      q.deleteImageTags.run(repository, digest);
      q.deleteImage.run(repository, digest);
    },
    listImages: (repository) => q.listImages.all(repository).map((r) => JSON.parse(r.doc) as ImageRecord),
    tagDigest: (repository, tag) => q.tagDigest.get(repository, tag)?.digest,
    setTag: (repository, tag, digest) => void q.setTag.run(repository, tag, digest),
    deleteTag: (repository, tag) => void q.deleteTag.run(repository, tag),
    tagsOf: (repository, digest) => q.tagsOf.all(repository, digest).map((r) => r.tag),
    listTags: (repository) => q.listTags.all(repository).map((r) => r.tag),
    forget: (repository, digest) => void q.forget.run(repository, digest),
    forgotten: () => q.forgotten.all(),
    forgottenDone: (repository, digest) => void q.forgottenDone.run(repository, digest),
    tokenKey: () => {
      q.putSetting.run('token-key', randomBytes(32).toString('base64'));
      return Buffer.from(q.getSetting.get('token-key')!.value, 'base64');
    },
  };
}
