import { DynamicModule, Global, Module, Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EnvMasterKeyProvider, MasterKeyProvider } from './master-key.provider';
import { VAULT_ENTITIES } from './vault.entities';
import { VaultKeyStore } from './vault-key.store';
import { VaultRotationService } from './vault-rotation.service';
import { VaultService } from './vault.service';

// Envelope encryption for every secret the broker stores. Import once per app
// module; libs inject VaultService, seal(plaintext, place) before insert, and
// register their sealed columns in onModuleInit. See docs/vault.md.
@Global()
@Module({
  imports: [TypeOrmModule.forFeature(VAULT_ENTITIES)],
  providers: [
    VaultKeyStore,
    VaultService,
    VaultRotationService,
    { provide: MasterKeyProvider, useClass: EnvMasterKeyProvider },
  ],
  exports: [VaultService, VaultRotationService, MasterKeyProvider],
})
export class VaultModule {
  // For a KMS: VaultModule.withMasterKeyProvider(KmsMasterKeyProvider) in place of VaultModule.
  static withMasterKeyProvider(provider: Type<MasterKeyProvider>): DynamicModule {
    return { module: VaultModule, providers: [{ provide: MasterKeyProvider, useClass: provider }] };
  }
}
