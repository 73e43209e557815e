import { Body, Controller, Delete, Get, HttpCode, HttpStatus, NotFoundException, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CreateGroupDto, GroupView, UpdateGroupDto } from '@mcp-proxy/shared/dto';
import { RequestWithPrincipal, scopeShowsGroup } from '../core/auth/principal';
import { GroupsService } from './groups.service';

@ApiTags('groups')
@ApiSecurity('api-key')
@Controller('groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Get()
  @ApiOperation({ summary: 'List groups; a user limited to some services sees only the groups made of those alone' })
  async list(@Req() request: RequestWithPrincipal): Promise<GroupView[]> {
    return (await this.groups.list()).filter((group) => scopeShowsGroup(request.principal, group.members));
  }

  @Post()
  @ApiOperation({ summary: 'Create a group of services, served at /mcp/g/<name>' })
  create(@Body() body: CreateGroupDto): Promise<GroupView> {
    return this.groups.create(body);
  }

  @Get(':id')
  async get(@Param('id') id: string, @Req() request: RequestWithPrincipal): Promise<GroupView> {
    const group = await this.groups.get(id);
    // Answered as if absent, like a service outside the limits.
    if (!scopeShowsGroup(request.principal, group.members)) throw new NotFoundException(`Group "${id}" not found`);
    return group;
  }

  @Patch(':id')
  update(@Param('id') id: string, @Body() body: UpdateGroupDto): Promise<GroupView> {
    return this.groups.update(id, body);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(@Param('id') id: string): Promise<void> {
    return this.groups.remove(id);
  }
}
