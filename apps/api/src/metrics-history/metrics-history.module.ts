import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClusterLinkModule } from '../cluster/cluster-link.module';
import { ProxyModule } from '../proxy/proxy.module';
import { MetricsHistoryController } from './metrics-history.controller';
import { MetricsHistoryEntity } from './metrics-history.entity';
import { MetricsHistoryService } from './metrics-history.service';
import { MetricsHistoryWriter } from './metrics-history-writer';

/** Per-service figures kept in the database (a minute for a day, an hour for a month), read by the portal's charts. */
@Module({
  imports: [ClusterLinkModule, ProxyModule, TypeOrmModule.forFeature([MetricsHistoryEntity])],
  controllers: [MetricsHistoryController],
  providers: [MetricsHistoryWriter, MetricsHistoryService],
})
export class MetricsHistoryModule {}
