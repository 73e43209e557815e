import { Body, Controller, Delete, ForbiddenException, Get, HttpCode, HttpStatus, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ChangePasswordDto, CreateUserDto, EndedSessionsView, SessionView, UpdateUserDto, UserView } from '@mcp-proxy/shared/dto';
import { RequestWithPrincipal } from '../core/auth/principal';
import { RequiresRole } from '../core/auth/roles.decorator';
import { UsersService } from './users.service';

/** Admins manage users; any signed-in user changes their own password. */
@ApiTags('users')
@ApiSecurity('api-key')
@RequiresRole('admin')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'Every user with role and service limits (never a password hash)' })
  list(): Promise<UserView[]> {
    return this.users.list();
  }

  @Post()
  @ApiOperation({ summary: 'Create a user with a password (hashed with scrypt) and a role' })
  create(@Body() body: CreateUserDto): Promise<UserView> {
    return this.users.create(body);
  }

  /** Declared before `:id` so "me" is never taken for a user id. */
  @Post('me/password')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequiresRole('viewer')
  @ApiOperation({
    summary: 'Change your own password (user sessions only; the API key is changed in the environment); your other sessions end',
  })
  async changeOwnPassword(@Req() request: Request & RequestWithPrincipal, @Body() body: ChangePasswordDto): Promise<void> {
    const principal = request.principal;
    if (principal?.kind !== 'user') throw new ForbiddenException('Only a signed-in user has a password to change');
    await this.users.changeOwnPassword(principal.id.slice('user:'.length), body, principal.sessionId);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One user, by id or user name' })
  get(@Param('id') id: string): Promise<UserView> {
    return this.users.get(id);
  }

  @Get(':id/sessions')
  @ApiOperation({ summary: 'The user’s UI sessions that still stand' })
  sessions(@Param('id') id: string): Promise<SessionView[]> {
    return this.users.sessionsOf(id);
  }

  @Delete(':id/sessions')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'End every UI session of the user; their tokens are refused from then on, their open streams close' })
  endSessions(@Param('id') id: string): Promise<EndedSessionsView> {
    return this.users.endSessionsOf(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change role, service limits, or reset the password (a new role or password ends the user’s sessions)' })
  update(@Param('id') id: string, @Body() body: UpdateUserDto): Promise<UserView> {
    return this.users.update(id, body);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a user; their sessions end at once' })
  async remove(@Param('id') id: string): Promise<void> {
    await this.users.remove(id);
  }
}
