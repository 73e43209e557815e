import { Controller, Get, NotFoundException, Param, Req } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { GroupMappingView } from '@mcp-proxy/shared/dto';
import { RequestWithPrincipal, scopeShowsGroup } from '../../core/auth/principal';
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
  async mapping(@Param('id') id: string, @Req() request: RequestWithPrincipal): Promise<GroupMappingView> {
    const route = await this.routes.resolve(`g/${id}`);
    // A group naming a service outside the caller's limits (the built-in `all` among them) is answered as absent.
    if (!route || route.kind !== 'group' || !scopeShowsGroup(request.principal, route.group?.members ?? []))
      throw new NotFoundException(`Group "${id}" not found (or disabled)`);
    const group = this.upstreams.groupFor(route);
    await Promise.all(['tools/list', 'prompts/list'].map((method) => group.merge(method)));
    return { group: route.name, tools: group.mapping('tools'), prompts: group.mapping('prompts'), members: [...group.health.values()] };
  }
}
