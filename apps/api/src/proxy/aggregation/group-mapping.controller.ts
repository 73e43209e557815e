import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { GroupMappingView } from '@mcp-proxy/shared/dto';
import { RouteTable } from '../routing/route-table';
import { UpstreamRegistry } from '../upstream/upstream-registry';

@ApiTags('groups')
@ApiSecurity('api-key')
@Controller('groups')
export class GroupMappingController {
  constructor(
    private readonly routes: RouteTable,
    private readonly upstreams: UpstreamRegistry,
  ) {}

  /** Lists the members now (cached lists) and shows which exposed name stands for which member's tool. */
  @Get(':id/tools')
  @ApiOperation({ summary: 'How the group names its members’ tools and prompts, and how each member is doing' })
  async mapping(@Param('id') id: string): Promise<GroupMappingView> {
    const route = await this.routes.resolve(`g/${id}`);
    if (!route || route.kind !== 'group') throw new NotFoundException(`Group "${id}" not found (or disabled)`);
    const group = this.upstreams.groupFor(route);
    await Promise.all(['tools/list', 'prompts/list'].map((method) => group.merge(method)));
    return { group: route.name, tools: group.mapping('tools'), prompts: group.mapping('prompts'), members: [...group.health.values()] };
  }
}
